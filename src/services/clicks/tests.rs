//! The click queue's bounds: what one commit holds, how much waits in
//! memory, and that a flush under steady load still returns.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::*;

fn click() -> ClickRecord {
    ClickRecord {
        visit_id: VisitId::new_v7(),
        store_id: StoreId(Uuid::nil()),
        link_id: LinkId(Uuid::nil()),
        referral_id: ReferralId(Uuid::nil()),
        new_referral: None,
        landing_url: None,
        referrer: None,
        user_agent: None,
        ip_hash: None,
        at: Utc::now(),
    }
}

fn probe() -> (WriterHandle, Arc<Mutex<Vec<usize>>>) {
    let sizes = Arc::new(Mutex::new(Vec::new()));
    (ClickWriter::spawn(Sink::Probe(sizes.clone())), sizes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_and_the_queue_stay_bounded_and_a_flush_sees_every_click_before_it() {
    // Arrange: a writer slower than its producers.
    let (handle, sizes) = probe();
    let writer = handle.writer();
    let most_queued = Arc::new(AtomicUsize::new(0));

    // Act: eight producers queue 3,000 clicks each as fast as they can.
    let producers: Vec<_> = (0..8)
        .map(|_| {
            let writer = writer.clone();
            let most_queued = most_queued.clone();
            tokio::spawn(async move {
                for _ in 0..3_000 {
                    writer.record(click()).await;
                    let queued = writer.queue.pending.lock().unwrap().clicks.len();
                    most_queued.fetch_max(queued, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for p in producers {
        p.await.unwrap();
    }
    writer.flush().await;

    // Assert
    let sizes = sizes.lock().unwrap().clone();
    assert_eq!(sizes.iter().sum::<usize>(), 24_000, "every click written");
    assert!(
        sizes.iter().all(|&n| n <= MAX_BATCH),
        "a batch over the bound: {sizes:?}"
    );
    assert!(sizes.len() >= 24_000 / MAX_BATCH, "{sizes:?}");
    assert!(most_queued.load(Ordering::Relaxed) <= QUEUE);
    handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flush_returns_while_clicks_keep_coming() {
    // Arrange: producers that never let the queue run empty.
    let (handle, sizes) = probe();
    let writer = handle.writer();
    let stop = Arc::new(AtomicBool::new(false));
    let producers: Vec<_> = (0..4)
        .map(|_| {
            let (writer, stop) = (writer.clone(), stop.clone());
            tokio::spawn(async move {
                // Bounded, in case the flush never returns.
                for _ in 0..400_000 {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    writer.record(click()).await;
                }
            })
        })
        .collect();
    while writer.queue.pending.lock().unwrap().clicks.len() < MAX_BATCH {
        tokio::task::yield_now().await;
    }

    // Act
    let queued_before = writer.queue.pending.lock().unwrap().queued;
    tokio::time::timeout(Duration::from_secs(10), writer.flush())
        .await
        .expect("the flush returned under load");
    let written: usize = sizes.lock().unwrap().iter().sum();
    stop.store(true, Ordering::Relaxed);
    for p in producers {
        p.await.unwrap();
    }

    // Assert: what was queued before the flush was written when it returned.
    assert!(
        written as u64 >= queued_before,
        "{written} < {queued_before}"
    );
    handle.shutdown().await;
}
