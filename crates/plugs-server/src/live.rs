//! Live wake-ups across server instances. A push that changes an organization's data sends
//! `NOTIFY plugs_sync, '<organization>:<seq>'` inside its transaction (PostgreSQL delivers it on
//! commit, to every listener); each instance keeps one connection listening on the channel and
//! wakes its own long-polls of that organization. Instances share nothing else, so any number of
//! them behind a load balancer behave as one. When the listening connection is lost (a database
//! restart), it is made again with a backoff, and every waiting pull looks again, since
//! notifications sent meanwhile are lost.

use crate::sync::Watchers;
use futures::StreamExt;
use std::sync::Arc;
use std::time::Duration;
use tokio_postgres::{AsyncMessage, NoTls};
use uuid::Uuid;

/// The notification channel.
pub const CHANNEL: &str = "plugs_sync";

/// Starts this instance's listener (for the life of the process).
pub fn listen(config: tokio_postgres::Config, watchers: Arc<Watchers>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut backoff = Duration::from_millis(100);
        loop {
            match run(&config, &watchers, &mut backoff).await {
                Ok(()) => tracing::warn!("the live listener's connection closed; listening again"),
                Err(e) => tracing::warn!(error = %e, code = ?e.code().map(|c| c.code()), "the live listener cannot listen; trying again"),
            }
            // Whatever changed while nobody listened: every waiting pull looks again.
            watchers.wake_all();
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(5));
        }
    })
}

async fn run(config: &tokio_postgres::Config, watchers: &Watchers, backoff: &mut Duration) -> Result<(), tokio_postgres::Error> {
    let (client, mut connection) = config.connect(NoTls).await?;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let driver = tokio::spawn(async move {
        let mut messages = futures::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(m) = messages.next().await {
            let end = m.is_err();
            if let Ok(AsyncMessage::Notification(_)) | Err(_) = &m {
                if tx.send(m).is_err() {
                    return;
                }
            }
            if end {
                return;
            }
        }
    });
    let listening = client.batch_execute(&format!("LISTEN {CHANNEL}")).await;
    if let Err(e) = listening {
        driver.abort();
        return Err(e);
    }
    *backoff = Duration::from_millis(100);
    tracing::debug!("listening for pushes of every instance");
    // Anything pushed before we listened is found by the pulls looking again.
    watchers.wake_all();
    while let Some(m) = rx.recv().await {
        match m {
            Ok(AsyncMessage::Notification(n)) => {
                if let Some((org, seq)) = parse(n.payload()) {
                    watchers.notify(org, seq);
                }
            }
            Ok(_) => {}
            Err(e) => {
                driver.abort();
                return Err(e);
            }
        }
    }
    drop(client);
    Ok(())
}

fn parse(payload: &str) -> Option<(Uuid, i64)> {
    let (org, seq) = payload.split_once(':')?;
    Some((Uuid::parse_str(org).ok()?, seq.parse().ok()?))
}

#[cfg(test)]
mod tests {
    #[test]
    fn payloads_name_the_organization_and_its_sequence() {
        let org = uuid::Uuid::now_v7();
        assert_eq!(super::parse(&format!("{org}:42")), Some((org, 42)));
        assert_eq!(super::parse("nonsense"), None);
        assert_eq!(super::parse(&format!("{org}:x")), None);
    }
}
