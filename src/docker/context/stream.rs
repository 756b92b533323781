//! The build context as a stream of tar chunks, for bollard's request body.
//!
//! [`stream`] runs [`write_tar`] on a blocking thread and hands its output
//! through a bounded channel, so at most a few chunks are in memory while the
//! engine reads the body.

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::Result;
use bytes::{Bytes, BytesMut};
use futures_util::Stream;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::{ContextStats, DockerIgnore, write_tar};

/// Size of the chunks [`stream`] hands to the HTTP body.
pub const CHUNK_SIZE: usize = 64 * 1024;

/// Chunks the channel holds before the tar writer waits for the engine to read.
const CHANNEL_CHUNKS: usize = 4;

/// Start writing the build context on a blocking thread and return the tar as
/// a stream of chunks, plus the writer's handle.
///
/// The stream is what bollard's `body_try_stream` takes. A failure ends it
/// with an `Err` item, so the upload aborts rather than delivering a
/// truncated tar; the handle then holds the full error. If the stream is
/// dropped (the request ended), the writer stops with an error at its next
/// chunk. Must be called inside a Tokio runtime.
pub fn stream(
    root: PathBuf,
    dockerfile: PathBuf,
    ignore: DockerIgnore,
) -> (
    impl Stream<Item = io::Result<Bytes>> + Send + 'static,
    JoinHandle<Result<ContextStats>>,
) {
    let (tx, rx) = mpsc::channel::<io::Result<Bytes>>(CHANNEL_CHUNKS);
    let handle = tokio::task::spawn_blocking(move || {
        let result = write_tar(&root, &dockerfile, &ignore, ChannelWriter::new(tx.clone()));
        if let Err(err) = &result {
            // The receiver may be gone already; the handle still has the error.
            let _ = tx.blocking_send(Err(io::Error::other(format!("{err:#}"))));
        }
        result
    });
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    (body, handle)
}

/// A `Write` that cuts the tar into [`CHUNK_SIZE`] pieces and sends them down
/// the bounded channel, blocking while it is full: the back-pressure that
/// keeps memory flat.
struct ChannelWriter {
    tx: mpsc::Sender<io::Result<Bytes>>,
    buf: BytesMut,
}

impl ChannelWriter {
    fn new(tx: mpsc::Sender<io::Result<Bytes>>) -> Self {
        ChannelWriter {
            tx,
            buf: BytesMut::with_capacity(CHUNK_SIZE),
        }
    }

    fn send_buffered(&mut self) -> io::Result<()> {
        let chunk = std::mem::replace(&mut self.buf, BytesMut::with_capacity(CHUNK_SIZE)).freeze();
        self.tx.blocking_send(Ok(chunk)).map_err(|_| {
            io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the build request stopped reading the context",
            )
        })
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let n = (CHUNK_SIZE - self.buf.len()).min(data.len());
        self.buf.extend_from_slice(&data[..n]);
        if self.buf.len() == CHUNK_SIZE {
            self.send_buffered()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            self.send_buffered()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::docker::context::walk::tests::{tar_of, write};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn stream_yields_the_same_tar_in_bounded_chunks() {
        use futures_util::StreamExt as _;
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().to_path_buf();
        write(&root, "Dockerfile", "FROM scratch\n");
        // Bigger than a few chunks, so back-pressure is exercised.
        write(&root, "big.bin", &"x".repeat(CHUNK_SIZE * 10 + 123));
        let (direct, _) = tar_of(&root, "Dockerfile");

        let (body, handle) = stream(
            root.clone(),
            PathBuf::from("Dockerfile"),
            DockerIgnore::default(),
        );
        let chunks: Vec<Bytes> = body.map(|chunk| chunk.expect("chunk")).collect().await;
        let stats = handle.await.expect("join").expect("write");
        assert!(chunks.iter().all(|c| c.len() <= CHUNK_SIZE));
        assert_eq!(chunks.concat(), direct);
        assert_eq!(
            stats,
            ContextStats {
                files: 2,
                bytes: (CHUNK_SIZE * 10 + 123 + 13) as u64
            }
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn stream_ends_with_the_error() {
        use futures_util::StreamExt as _;
        let dir = tempfile::tempdir().expect("tempdir");
        let (body, handle) = stream(
            dir.path().to_path_buf(),
            PathBuf::from("Dockerfile"),
            DockerIgnore::default(),
        );
        let items: Vec<io::Result<Bytes>> = body.collect().await;
        let last = items.last().expect("an item");
        assert!(
            last.as_ref()
                .is_err_and(|e| e.to_string().contains("Dockerfile"))
        );
        assert!(handle.await.expect("join").is_err());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_dropped_stream_stops_the_writer() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().to_path_buf();
        write(&root, "Dockerfile", "FROM scratch\n");
        write(&root, "big.bin", &"x".repeat(CHUNK_SIZE * 20));
        let (body, handle) = stream(root, PathBuf::from("Dockerfile"), DockerIgnore::default());
        drop(body);
        let err = handle.await.expect("join").expect_err("receiver gone");
        assert!(format!("{err:#}").contains("stopped reading"), "{err:#}");
    }
}
