#!/usr/bin/env python3
"""Constant mutation check for lockstep-spec.

For every numeric constant the spec takes from its documents (ChaCha20's four
words, the SHA-256/SHA-512 round constants and initial hash values, HMAC's ipad and
opad, the Poly1305 clamp, X25519's clamping masks and a24, ...), flip its lowest
set bit (or set bit 0 of a zero), rebuild, and run the tests. A constant whose
mutant survives every test is reported: either the tests have a hole, or the
constant cannot be observed (said per case in docs/VERIFICATION.md).

Run from the repository root, on a scratch copy (it edits files in place and
restores them): python3 scripts/mutate_constants.py [--only FILE] [--list]
"""

import argparse
import pathlib
import re
import subprocess
import sys

SPEC = pathlib.Path("spec/src")
# The tests a mutant must fail: the spec's own tests first (unit and protocol tests),
# then every RFC, Wycheproof and protocol vector.
COMMANDS = [
    ["cargo", "test", "-q", "-p", "lockstep-spec", "--", "--skip", "iterated"],
    ["cargo", "test", "-q", "-p", "lockstep-harness", "--test", "vectors", "--test", "protocol_vectors"],
]
LITERAL = re.compile(r"\b(0x[0-9a-fA-F_]+|[0-9][0-9_]*)(u8|u32|u64|u128|usize)?\b")


def constant_sites(path):
    """(line number, column span, literal) for literals in `const` items and in
    U8(..)/U32(..)/U64(..) masks outside the test module."""
    sites = []
    in_const = False
    for number, line in enumerate(path.read_text().splitlines()):
        if line.startswith("#[cfg(test)]"):
            break
        stripped = line.strip()
        if stripped.startswith("//"):
            continue
        # Literals in a trailing comment are not constants.
        code_end = line.find("//")
        if code_end < 0:
            code_end = len(line)
        if re.match(r"\s*(pub(\([^)]*\))? )?const ", line):
            in_const = True
        candidates = []
        if in_const:
            candidates = list(LITERAL.finditer(line))
            if line.rstrip().endswith(";"):
                in_const = False
        else:
            for m in re.finditer(r"U(8|32|64|128)\(\s*(0x[0-9a-fA-F_]+|[0-9]+)", line):
                candidates.append(LITERAL.search(line, m.start(2)))
        for m in candidates:
            if m is None or m.start() >= code_end:
                continue
            literal = m.group(1)
            # Array lengths and indices in a const's type are not constants of the
            # document.
            if re.search(r";\s*$", line[: m.start()]) or line[: m.start()].rstrip().endswith(";"):
                continue
            if re.search(r"\[[^\]]*;\s*$", line[: m.start()]):
                continue
            sites.append((number, m.span(1), literal))
    return sites


def mutate(literal):
    value = int(literal.replace("_", ""), 0)
    flipped = value ^ (value & -value) if value else 1
    if literal.startswith("0x"):
        return hex(flipped)
    return str(flipped)


BUILD = ["cargo", "test", "-q", "-p", "lockstep-spec", "-p", "lockstep-harness", "--no-run"]


def killed():
    """The test command that failed on the mutant, None if all passed, or
    "build" if the mutant did not compile (then it counts as not tested)."""
    if subprocess.run(BUILD, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode != 0:
        return "build"
    for command in COMMANDS:
        result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if result.returncode != 0:
            return " ".join(command[2:6])
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", help="one file under spec/src (e.g. ml_kem/ntt.rs)")
    parser.add_argument("--list", action="store_true", help="list the sites and stop")
    parser.add_argument("--every", type=int, default=1, help="mutate every Nth site only (a sample of long tables)")
    args = parser.parse_args()
    files = sorted(SPEC.rglob("*.rs")) if not args.only else [SPEC / args.only]
    survivors = []
    total = 0
    for path in files:
        original = path.read_text()
        lines = original.splitlines(keepends=True)
        for index, (number, (start, end), literal) in enumerate(constant_sites(path)):
            if index % args.every:
                continue
            total += 1
            where = f"{path}:{number + 1}: {literal}"
            if args.list:
                print(where)
                continue
            line = lines[number]
            mutated = line[:start] + mutate(literal) + line[end:]
            path.write_text("".join(lines[:number] + [mutated] + lines[number + 1 :]))
            try:
                by = killed()
            finally:
                path.write_text(original)
            verdict = {None: "SURVIVED", "build": "DID NOT BUILD"}.get(by, f"killed by {by}")
            print(f"{verdict}: {where} -> {mutate(literal)}", flush=True)
            if by in (None, "build"):
                survivors.append(f"{verdict}: {where}")
    if args.list:
        return 0
    print(f"\n{total - len(survivors)} of {total} constant mutants killed by a test")
    for s in survivors:
        print(f"  {s}")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
