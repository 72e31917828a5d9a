//! Sending the outbox over SMTP: both parts arrive, a refused message is
//! retried later and counted, the last failure gives up, two senders never
//! send one message twice, and a rolled-back change sends nothing.

use chrono::{Duration, Utc};
use tributary::domain::mail::{EmailKind, EmailStatus, MAX_ATTEMPTS};
use tributary::services::email::{self, deliver_due};

use super::*;

#[tokio::test]
async fn an_invitation_is_delivered_over_smtp_with_its_text_and_html_parts() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let server = SmtpServer::start(0).await;
    invite(&app, "bob@example.com").await;

    let pass = deliver_due(&app.db, &server.mailer(), Utc::now())
        .await
        .unwrap();

    assert_eq!(pass.sent, 1);
    let got = server.received();
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert_eq!(m.rcpt_to, vec!["bob@example.com".to_owned()]);
    assert_eq!(m.mail_from, "affiliates@shop.example.com");
    let from = m.header("From").unwrap();
    assert!(
        from.contains("Acme Shop") && from.contains("<affiliates@shop.example.com>"),
        "{from}"
    );
    assert_eq!(
        m.header("Subject").unwrap(),
        "You're invited to join Acme Shop on Tributary"
    );
    let text = m.part("text/plain").expect("a text part");
    let html = m.part("text/html").expect("an html part");
    let link = first_link(&text);
    assert!(
        link.starts_with(&format!("{}/invitations/", app.address)),
        "{text}"
    );
    assert!(html.contains(&format!("href=\"{link}\"")), "{html}");
    let row = &of_kind(&app, EmailKind::TeamInvitation).await[0];
    assert_eq!((row.status, row.attempts), (EmailStatus::Sent, 1));
    assert!(row.sent_at.is_some());
    // The link from the mail opens the invitation.
    let page = app
        .new_browser()
        .get_html(link.trim_start_matches(&app.address))
        .await;
    assert!(page.contains("Join Acme Shop"), "{page}");
}

#[tokio::test]
async fn a_refused_message_is_retried_with_backoff_and_then_delivered() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let server = SmtpServer::start(1).await;
    invite(&app, "bob@example.com").await;
    let now = Utc::now();

    let first = deliver_due(&app.db, &server.mailer(), now).await.unwrap();

    assert_eq!((first.sent, first.retrying), (0, 1));
    let row = &outbox(&app).await[0];
    assert_eq!((row.status, row.attempts), (EmailStatus::Queued, 1));
    assert!(
        row.last_error.as_deref().unwrap().contains("451"),
        "{:?}",
        row.last_error
    );
    let wait = row.next_attempt_at - now;
    assert!(
        wait > Duration::seconds(59) && wait <= Duration::seconds(61),
        "{wait}"
    );
    // Not due yet: nothing is tried.
    let early = deliver_due(&app.db, &server.mailer(), now + Duration::seconds(30))
        .await
        .unwrap();
    assert_eq!((early.sent, early.retrying), (0, 0));

    let later = deliver_due(&app.db, &server.mailer(), now + Duration::seconds(61))
        .await
        .unwrap();

    assert_eq!(later.sent, 1);
    assert_eq!(server.received().len(), 1);
    let row = &outbox(&app).await[0];
    assert_eq!((row.status, row.attempts), (EmailStatus::Sent, 2));
    assert!(row.last_error.is_none());
}

#[tokio::test]
async fn after_the_last_attempt_a_message_is_failed_until_staff_retry_it() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let server = SmtpServer::start(MAX_ATTEMPTS as usize).await;
    invite(&app, "bob@example.com").await;
    let mut now = Utc::now();

    for _ in 0..MAX_ATTEMPTS {
        deliver_due(&app.db, &server.mailer(), now).await.unwrap();
        now += Duration::hours(7);
    }

    let row = outbox(&app).await.remove(0);
    assert_eq!(
        (row.status, row.attempts),
        (EmailStatus::Failed, MAX_ATTEMPTS)
    );
    let pass = deliver_due(&app.db, &server.mailer(), now).await.unwrap();
    assert_eq!(
        pass.sent, 0,
        "a failed message is not tried again by itself"
    );

    let res = app
        .browser
        .post_form(&format!("/admin/emails/{}/retry", row.id), &[])
        .await;

    assert_eq!(res.status().as_u16(), 303);
    let row = outbox(&app).await.remove(0);
    assert_eq!((row.status, row.attempts), (EmailStatus::Queued, 0));
    let pass = deliver_due(&app.db, &server.mailer(), Utc::now())
        .await
        .unwrap();
    assert_eq!(pass.sent, 1);
    assert_eq!(server.received().len(), 1);
}

#[tokio::test]
async fn two_senders_at_once_deliver_each_message_once() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let server = SmtpServer::start(0).await;
    for n in 0..6 {
        invite(&app, &format!("member{n}@example.com")).await;
    }
    let other = app.another_instance().await;
    let now = Utc::now();
    let (first, second) = (server.mailer(), server.mailer());

    let (a, b) = tokio::join!(
        deliver_due(&app.db, &first, now),
        deliver_due(&other.db, &second, now)
    );

    assert_eq!(a.unwrap().sent + b.unwrap().sent, 6);
    let mut to: Vec<String> = server
        .received()
        .iter()
        .map(|m| m.rcpt_to[0].clone())
        .collect();
    to.sort();
    to.dedup();
    assert_eq!(to.len(), 6);
    assert_eq!(server.received().len(), 6);
}

#[tokio::test]
async fn a_rolled_back_change_leaves_no_email() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let store_id = app.store_id("acme").await;
    let message = email::messages::affiliate_approved(
        &email::Sender::store("Acme Shop"),
        &tributary::domain::Email::parse("ann@example.com").unwrap(),
        &email::messages::Decision {
            name: "Ann".into(),
            reason: None,
            portal_url: None,
        },
    )
    .unwrap();
    let txn = tributary::db::begin_write(&app.db).await.unwrap();
    email::enqueue(&txn, store_id, message.clone())
        .await
        .unwrap();

    drop(txn); // the change fails after queueing its mail: rolled back

    assert!(outbox(&app).await.is_empty());
    let txn = tributary::db::begin_write(&app.db).await.unwrap();
    email::enqueue(&txn, store_id, message).await.unwrap();
    txn.commit().await.unwrap();
    assert_eq!(
        outbox(&app).await.len(),
        1,
        "the same enqueue commits with its change"
    );
}

#[tokio::test]
async fn with_smtp_configured_the_server_sends_by_itself() {
    let server = SmtpServer::start(0).await;
    let app = spawn_app_with(|c| {
        c.mail = Some(tributary::config::MailConfig {
            smtp_url: server.url(),
            from: "affiliates@shop.example.com".into(),
        })
    })
    .await;
    app.setup_owner().await;

    invite(&app, "bob@example.com").await;

    let got = server.wait_for(1).await;
    assert_eq!(got[0].rcpt_to, vec!["bob@example.com".to_owned()]);
}

#[tokio::test]
async fn a_revoked_or_replaced_invitations_queued_mail_is_cancelled_and_never_sent() {
    // Arrange: Bob invited, then invited again (replacing the first), Cat
    // invited and revoked before the mail server was reachable.
    let app = spawn_app().await;
    app.setup_owner().await;
    let server = SmtpServer::start(0).await;
    invite(&app, "bob@example.com").await;
    invite(&app, "bob@example.com").await;
    invite(&app, "cat@example.com").await;
    let cat = tributary::services::invitations::pending(&app.db, app.store_id("acme").await)
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.email == "cat@example.com")
        .unwrap();

    let res = app
        .browser
        .post_form(&format!("/admin/team/invitations/{}/revoke", cat.id), &[])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let pass = deliver_due(&app.db, &server.mailer(), Utc::now())
        .await
        .unwrap();

    // Assert: only Bob's current invitation went out.
    assert_eq!(pass.sent, 1);
    let got = server.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].rcpt_to, vec!["bob@example.com".to_owned()]);
    let rows = of_kind(&app, EmailKind::TeamInvitation).await;
    let statuses: Vec<(&str, EmailStatus)> = rows
        .iter()
        .map(|m| (m.recipient.as_str(), m.status))
        .collect();
    assert_eq!(
        statuses,
        [
            ("bob@example.com", EmailStatus::Cancelled),
            ("bob@example.com", EmailStatus::Sent),
            ("cat@example.com", EmailStatus::Cancelled),
        ]
    );
    // The Emails page shows them cancelled, and they cannot be retried.
    let page = app.browser.get_html("/admin/emails?status=cancelled").await;
    assert!(page.contains("cat@example.com") && page.contains("badge-cancelled"));
    let cancelled = &rows[2];
    let show = app
        .browser
        .get_html(&format!("/admin/emails/{}", cancelled.id))
        .await;
    assert!(!show.contains("/retry"), "{show}");
    // Later passes send nothing more.
    let again = deliver_due(&app.db, &server.mailer(), Utc::now() + Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(again.sent, 0);
}
