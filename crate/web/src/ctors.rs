//! Static constructors run once per instance, not once per call.
//!
//! burn's WebGPU compiler (cubecl) registers its IR dialects with `inventory`, which in wasm are
//! static constructors gathered by wasm-ld into `__wasm_call_ctors`. When nothing in a module
//! calls that function, wasm-ld takes the module for a one-shot "command" and calls it at the top
//! of *every* export — including wasm-bindgen's `__externref_table_alloc`, which JS calls for each
//! value a Rust function hands it. Serialising the 2L model's graph then ran every constructor
//! thousands of times (2.8 s in Node, 4.4 s in the page's worker, where natively it takes
//! microseconds), and every ACDC step and prediction paid the same per value passed. Calling it
//! ourselves, once, from the start function tells wasm-ld the embedder owns initialisation
//! (inventory's documentation, "WebAssembly and constructors").

use std::sync::Once;

#[cfg(target_family = "wasm")]
unsafe extern "C" {
    fn __wasm_call_ctors();
}

static CTORS: Once = Once::new();

/// Runs the module's static constructors the first time it is called; later calls do nothing.
pub fn run_once() {
    CTORS.call_once(|| {
        #[cfg(target_family = "wasm")]
        // SAFETY: the linker-made constructor list; `Once` keeps it to one run per instance, and
        // inventory's constructors are idempotent besides.
        unsafe {
            __wasm_call_ctors()
        }
    });
}
