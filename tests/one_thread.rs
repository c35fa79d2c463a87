//! A build ends on a pool of one thread (a one-core machine, or
//! `RAYON_NUM_THREADS=1`): the PDF waits for what krilla compresses on
//! rayon's threads, so it must not wait on the only one. A test binary of
//! its own: the pool is set once for the process.

mod common;

use std::sync::mpsc;
use std::time::Duration;

/// Far more than the showcase book takes on any machine this runs on.
const HUNG: Duration = Duration::from_secs(300);

#[test]
fn a_build_on_one_thread_ends_and_makes_the_same_bytes() {
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build_global()
        .expect("the pool is set first");
    let book = common::showcase_book();
    let mut made = Vec::new();
    for streaming in [true, false] {
        let (done, ended) = mpsc::channel();
        let book = book.clone();
        std::thread::spawn(move || {
            let options = warraq::BuildOptions {
                streaming,
                ..warraq::BuildOptions::for_book(&book)
            };
            let compiled = warraq::compile(&options).expect("the book builds");
            done.send(compiled.files).unwrap();
        });
        let files = ended
            .recv_timeout(HUNG)
            .unwrap_or_else(|_| panic!("the build (streaming {streaming}) did not end"));
        assert_eq!(files.len(), 2, "an EPUB and a PDF");
        made.push(files);
    }
    for ((path, streamed), (_, whole)) in made[0].iter().zip(&made[1]) {
        let read = |file: &warraq::output::Pieces| file.read().expect("the file reads back");
        assert!(
            read(streamed) == read(whole),
            "{} differs laid out whole",
            path.display()
        );
    }
}
