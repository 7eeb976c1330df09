//! The term interpreter: a model's one-line `letfun`s evaluated on bytes (tuples as concatenations, HKDF, HMAC and SHA-256 computed).

use super::*;

/// A term of a `letfun` body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Term {
    /// A parameter, a `let` name or a constant.
    Name(String),
    /// `NAME(args)`.
    Call(String, Vec<Term>),
    /// `(a, b, …)`: the concatenation of its parts.
    Tuple(Vec<Term>),
    /// `let x = T in U`.
    Let(String, Box<Term>, Box<Term>),
}

/// A one-line `letfun`.
#[derive(Clone, Debug)]
pub(super) struct LetFun {
    /// 1-based line number.
    pub(super) line: usize,
    /// Parameter names and types, in order.
    pub(super) params: Vec<(String, String)>,
    /// The body.
    pub(super) body: Term,
}

/// Splits a term into tokens: identifiers and `( ) , =`.
pub(super) fn tokenize(text: &str) -> Result<Vec<String>, String> {
    let mut tokens = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '_' || c == '\'' {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            tokens.push(std::mem::take(&mut word));
        }
        match c {
            '(' | ')' | ',' | '=' => tokens.push(c.to_string()),
            c if c.is_whitespace() => {}
            c => return Err(format!("unexpected character {c:?}")),
        }
    }
    if !word.is_empty() {
        tokens.push(word);
    }
    Ok(tokens)
}

/// A recursive-descent parser over tokens.
pub(super) struct Parser {
    pub(super) tokens: Vec<String>,
    pub(super) at: usize,
}

impl Parser {
    pub(super) fn peek(&self) -> Option<&str> {
        self.tokens.get(self.at).map(String::as_str)
    }

    pub(super) fn next(&mut self) -> Result<String, String> {
        let token = self
            .tokens
            .get(self.at)
            .cloned()
            .ok_or_else(|| "unexpected end of term".to_owned())?;
        self.at += 1;
        Ok(token)
    }

    pub(super) fn expect(&mut self, want: &str) -> Result<(), String> {
        let got = self.next()?;
        if got == want {
            Ok(())
        } else {
            Err(format!("expected `{want}`, found `{got}`"))
        }
    }

    pub(super) fn ident(&mut self) -> Result<String, String> {
        let token = self.next()?;
        if token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '\'')
        {
            Ok(token)
        } else {
            Err(format!("expected a name, found `{token}`"))
        }
    }

    /// `T, T, …)` after an opening parenthesis.
    pub(super) fn list(&mut self) -> Result<Vec<Term>, String> {
        let mut items = Vec::new();
        if self.peek() == Some(")") {
            self.at += 1;
            return Ok(items);
        }
        loop {
            items.push(self.term()?);
            match self.next()?.as_str() {
                "," => {}
                ")" => return Ok(items),
                other => return Err(format!("expected `,` or `)`, found `{other}`")),
            }
        }
    }

    pub(super) fn term(&mut self) -> Result<Term, String> {
        match self.peek() {
            Some("let") => {
                self.at += 1;
                let name = self.ident()?;
                self.expect("=")?;
                let bound = self.term()?;
                self.expect("in")?;
                let body = self.term()?;
                Ok(Term::Let(name, Box::new(bound), Box::new(body)))
            }
            Some("(") => {
                self.at += 1;
                let mut items = self.list()?;
                if items.len() == 1 {
                    Ok(items.remove(0))
                } else {
                    Ok(Term::Tuple(items))
                }
            }
            _ => {
                let name = self.ident()?;
                if self.peek() == Some("(") {
                    self.at += 1;
                    Ok(Term::Call(name, self.list()?))
                } else {
                    Ok(Term::Name(name))
                }
            }
        }
    }
}

/// Parses a whole term.
pub(super) fn parse_term(text: &str) -> Result<Term, String> {
    let mut parser = Parser {
        tokens: tokenize(text)?,
        at: 0,
    };
    let term = parser.term()?;
    if parser.at != parser.tokens.len() {
        return Err(format!(
            "unexpected `{}` after the term",
            parser.tokens[parser.at]
        ));
    }
    Ok(term)
}

/// Parses `letfun NAME(p: T, …) = BODY.` (comments already stripped): the name and
/// the function.
pub(super) fn parse_letfun(line: &str, number: usize) -> Result<(String, LetFun), String> {
    let rest = line.trim().strip_prefix("letfun ").ok_or("not a letfun")?;
    let open = rest.find('(').ok_or("no parameter list")?;
    let name = rest[..open].trim().to_owned();
    let close = rest.find(')').ok_or("no end to the parameter list")?;
    let mut params = Vec::new();
    for param in rest[open + 1..close].split(',') {
        if param.trim().is_empty() {
            continue;
        }
        let (p, t) = param
            .split_once(':')
            .ok_or_else(|| format!("parameter `{}` has no type", param.trim()))?;
        params.push((p.trim().to_owned(), t.trim().to_owned()));
    }
    let body = rest[close + 1..]
        .trim()
        .strip_prefix('=')
        .ok_or("no `=` after the parameters")?
        .trim()
        .strip_suffix('.')
        .ok_or("the letfun does not end on its line with `.`")?;
    Ok((
        name,
        LetFun {
            line: number,
            params,
            body: parse_term(body)?,
        },
    ))
}

/// A value of the interpreter: bytes, or the output of `HKDF` (64 bytes computed;
/// a plain use takes the first 32, `OKM_a_b` takes bytes `a..b`: HKDF-Expand's
/// output blocks do not depend on the length asked, RFC 5869 §2.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Value {
    Bytes(Vec<u8>),
    Okm(Vec<u8>),
}

impl Value {
    /// Its bytes where a plain value is needed: an HKDF output as a 32-byte key.
    pub(super) fn bytes(&self) -> Vec<u8> {
        match self {
            Value::Bytes(b) => b.clone(),
            Value::Okm(okm) => okm[..32].to_vec(),
        }
    }
}

/// What a model defines: its constants and its one-line letfuns.
pub(super) struct Model {
    pub(super) constants: BTreeMap<String, Vec<u8>>,
    pub(super) letfuns: BTreeMap<String, LetFun>,
}

impl Model {
    /// Applies the letfun `name` to `args`.
    pub(super) fn apply(
        &self,
        name: &str,
        args: Vec<Value>,
        depth: usize,
    ) -> Result<Value, String> {
        let f = self
            .letfuns
            .get(name)
            .ok_or_else(|| format!("{name} is not defined on one line"))?;
        if f.params.len() != args.len() {
            return Err(format!(
                "{name} takes {} arguments, given {}",
                f.params.len(),
                args.len()
            ));
        }
        let env: BTreeMap<String, Value> =
            f.params.iter().map(|(p, _)| p.clone()).zip(args).collect();
        self.eval(&f.body, &env, depth + 1)
    }

    pub(super) fn eval(
        &self,
        term: &Term,
        env: &BTreeMap<String, Value>,
        depth: usize,
    ) -> Result<Value, String> {
        if depth > 32 {
            return Err("letfuns nested too deep (recursion?)".to_owned());
        }
        match term {
            Term::Name(n) => env
                .get(n)
                .cloned()
                .or_else(|| self.constants.get(n).cloned().map(Value::Bytes))
                .ok_or_else(|| format!("unknown name {n} (not a parameter nor a SPEC constant)")),
            Term::Tuple(items) => {
                let mut out = Vec::new();
                for item in items {
                    out.extend(self.eval(item, env, depth)?.bytes());
                }
                Ok(Value::Bytes(out))
            }
            Term::Let(name, bound, body) => {
                let value = self.eval(bound, env, depth)?;
                let mut inner = env.clone();
                inner.insert(name.clone(), value);
                self.eval(body, &inner, depth)
            }
            Term::Call(f, args) => {
                let mut values = Vec::new();
                for a in args {
                    values.push(self.eval(a, env, depth)?);
                }
                self.call(f, values, depth)
            }
        }
    }

    pub(super) fn call(&self, f: &str, args: Vec<Value>, depth: usize) -> Result<Value, String> {
        let arity = |n: usize| {
            if args.len() == n {
                Ok(())
            } else {
                Err(format!("{f} takes {n} arguments, given {}", args.len()))
            }
        };
        let seq = |v: &Value| ByteSeq::from_public_slice(&v.bytes());
        let okm = |from: usize, to: usize| -> Result<Value, String> {
            arity(1)?;
            match &args[0] {
                Value::Okm(okm) => Ok(Value::Bytes(okm[from..to].to_vec())),
                Value::Bytes(_) => Err(format!("{f} of a value that is not an HKDF output")),
            }
        };
        match f {
            "HKDF" => {
                arity(3)?;
                let okm =
                    lockstep_spec::hkdf::hkdf(&seq(&args[0]), &seq(&args[1]), &seq(&args[2]), 64)
                        .map_err(|e| format!("HKDF: {e:?}"))?;
                Ok(Value::Okm(unseq(&okm)))
            }
            "HMAC" => {
                arity(2)?;
                Ok(Value::Bytes(
                    lockstep_spec::hmac::hmac(&seq(&args[0]), &seq(&args[1]))
                        .to_public_array()
                        .to_vec(),
                ))
            }
            "SHA256" => {
                arity(1)?;
                Ok(Value::Bytes(
                    sha256::hash(&seq(&args[0])).to_public_array().to_vec(),
                ))
            }
            "G2B" => {
                arity(1)?;
                Ok(args[0].clone())
            }
            "OKM_0_32" => okm(0, 32),
            "OKM_32_64" => okm(32, 64),
            "OKM_32_44" => okm(32, 44),
            _ if self.letfuns.contains_key(f) => self.apply(f, args, depth),
            _ => Err(format!(
                "unknown function {f} (neither a primitive the test knows nor a one-line letfun)"
            )),
        }
    }
}
