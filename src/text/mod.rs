//! Text: bidi, itemization and HarfBuzz shaping. STUB.
