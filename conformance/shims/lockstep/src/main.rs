//! Placeholder: the shim is being written.
fn main() {}
