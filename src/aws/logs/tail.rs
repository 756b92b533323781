//! The tail for deploys: a [`Reader`] on its own task, for a caller with its
//! own loop (`mcp deploy` streaming the new tasks' output while it follows the
//! rollout).

use anyhow::Result;

use super::{Batch, LogSource, Reader, StreamSelect};

/// A [`Reader`] running on its own task, for a caller with its own loop (a
/// deploy streaming the new tasks' output while it follows the rollout):
/// batches arrive on [`Tail::recv`]; [`Tail::set_streams`] narrows it as task
/// ids become known; dropping the handle (or [`Tail::stop`]) ends it.
pub struct Tail {
    batches: tokio::sync::mpsc::Receiver<Result<Batch>>,
    streams: tokio::sync::watch::Sender<StreamSelect>,
    task: tokio::task::JoinHandle<()>,
}

impl Tail {
    /// Start `reader` (usually following) in the background.
    pub fn spawn(mut reader: Reader) -> Tail {
        let (tx, batches) = tokio::sync::mpsc::channel(16);
        let (streams, mut selected) = tokio::sync::watch::channel(reader.query.streams.clone());
        let task = tokio::spawn(async move {
            loop {
                if selected.has_changed().unwrap_or(false) {
                    reader.set_streams(selected.borrow_and_update().clone());
                }
                let batch = reader.next_batch().await;
                let last = !matches!(batch, Ok(Some(_)));
                match batch.transpose() {
                    Some(batch) => {
                        if tx.send(batch).await.is_err() {
                            return;
                        }
                    }
                    None => return,
                }
                if last {
                    return;
                }
            }
        });
        Tail {
            batches,
            streams,
            task,
        }
    }

    /// The next batch; `None` once a bounded read is complete or it failed (the error came first).
    pub async fn recv(&mut self) -> Option<Result<Batch>> {
        self.batches.recv().await
    }

    /// Read only these streams from the next page on.
    pub fn set_streams(&self, streams: StreamSelect) {
        self.streams.send_replace(streams);
    }

    pub fn stop(self) {}
}

impl Drop for Tail {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[cfg(test)]
mod tests {

    use super::super::reader::tests::{TASK_A, TASK_B, client, event, fast, messages, page, query};
    use super::*;
    use aws_sdk_cloudwatchlogs::Client;
    use aws_smithy_mocks::mock;

    #[tokio::test]
    async fn a_spawned_tail_delivers_batches_until_stopped_or_done() {
        let polls = mock!(Client::filter_log_events).then_output(|| {
            page(
                vec![event("1", 1, TASK_A, "a"), event("2", 2, TASK_B, "b")],
                None,
            )
        });
        let reader = Reader::new(client(&[&polls]), query(), 0, None, true, fast());
        let mut tail = Tail::spawn(reader);
        let first = tail.recv().await.unwrap().unwrap();
        assert_eq!(messages(&first.lines), ["a", "b"]);
        tail.set_streams(StreamSelect::Names(vec![TASK_B.into()]));
        // Later polls see the same events again: nothing new, whatever the selection.
        let next = tail.recv().await.unwrap().unwrap();
        assert!(next.lines.is_empty());
        tail.stop();
        // A bounded read ends the channel.
        let reader = Reader::new(client(&[&polls]), query(), 0, Some(5), false, fast());
        let mut tail = Tail::spawn(reader);
        assert_eq!(tail.recv().await.unwrap().unwrap().lines.len(), 2);
        assert!(tail.recv().await.is_none());
    }
}
