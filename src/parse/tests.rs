//! Spec-style tests: small Markdown in, expected model out.
