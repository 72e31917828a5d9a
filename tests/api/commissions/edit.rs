use super::*;
use reqwest::Method;

#[tokio::test]
async fn a_due_commission_edited_through_the_api_moves_the_balance_and_audits_before_and_after() {
    let app = spawn_app().await;
    let p = app.program().await;
    let (ann, id) = due_commission(&app, &p.key, "ann@example.com", "ann", "pi_1").await;
    assert_eq!(balance(&app, &p.key, &ann).await, "20.00");

    let (status, body) = app
        .api(
            Method::PATCH,
            &format!("/api/v1/commissions/{id}"),
            &p.key,
            Some(json!({"amount": "25.00", "remarks": "bonus agreed by mail"})),
        )
        .await;

    assert_eq!(status, 200, "{body}");
    assert_eq!(body["amount"], "25.00");
    assert_eq!(body["remarks"], "bonus agreed by mail");
    assert_eq!(
        balance(&app, &p.key, &ann).await,
        "25.00",
        "the 5.00 difference entered the ledger"
    );
    app.assert_books_balance().await;
    let audit = last_audit(&app, "commission.updated").await;
    assert_eq!(audit["before"]["amount_minor"], 2000);
    assert_eq!(audit["after"]["amount_minor"], 2500);
    assert_eq!(audit["before"]["remarks"], Value::Null);
    assert_eq!(audit["after"]["remarks"], "bonus agreed by mail");
    assert!(
        events_of(&app, "commission.updated").await >= 2,
        "promotion and edit"
    );

    let (status, body) = app
        .api(
            Method::PUT,
            &format!("/api/v1/commissions/{id}"),
            &p.key,
            Some(json!({"amount": 12, "remarks": null})),
        )
        .await;
    assert_eq!(status, 200, "PUT is the same partial update: {body}");
    assert_eq!(body["amount"], "12.00");
    assert_eq!(body["remarks"], Value::Null, "null clears the remarks");
    assert_eq!(balance(&app, &p.key, &ann).await, "12.00");
    app.assert_books_balance().await;
}

#[tokio::test]
async fn a_pending_commission_moves_to_due_only_forward_and_enters_the_balance() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = app
        .approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let ann = ann["id"].as_str().unwrap();
    let id = sale_commission(&app, &p.key, "ann", "pi_p", "50.00").await;
    let path = format!("/api/v1/commissions/{id}");

    let (status, body) = app
        .api(
            Method::PATCH,
            &path,
            &p.key,
            Some(json!({"due_at": "2026-01-20"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["due_at"], "2026-01-20T00:00:00Z",
        "a date keeps the time of day"
    );
    assert_eq!(body["status"], "pending");
    assert_eq!(balance(&app, &p.key, ann).await, "0.00");

    let (status, body) = app
        .api(Method::PATCH, &path, &p.key, Some(json!({"status": "due"})))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "due");
    assert_eq!(balance(&app, &p.key, ann).await, "10.00");
    app.assert_books_balance().await;

    let before = app.snapshot().await;
    let (status, body) = app
        .api(
            Method::PATCH,
            &path,
            &p.key,
            Some(json!({"status": "pending"})),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("does not go back to pending"),
        "{body}"
    );
    let (status, body) = app
        .api(
            Method::PATCH,
            &path,
            &p.key,
            Some(json!({"status": "paid"})),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("payout"),
        "{body}"
    );
    let (status, body) = app
        .api(
            Method::PATCH,
            &path,
            &p.key,
            Some(json!({"due_at": "2099-01-01T00:00:00Z"})),
        )
        .await;
    assert_eq!(
        status, 422,
        "a due commission is not due in the future: {body}"
    );
    assert!(has_field_error(&body, "due_at"));
    let (status, body) = app
        .api(Method::PATCH, &path, &p.key, Some(json!({"amount": "0"})))
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(has_field_error(&body, "amount"));
    let (status, body) = app
        .api(
            Method::PATCH,
            &path,
            &p.key,
            Some(json!({"amount": "-5.00"})),
        )
        .await;
    assert_eq!(status, 422, "a commission keeps its sign: {body}");
    assert_eq!(app.snapshot().await, before, "refusals write nothing");
}

#[tokio::test]
async fn a_blank_or_null_due_at_is_a_422_naming_due_at_as_rewardful_answers() {
    let app = spawn_app().await;
    let p = app.program().await;
    let (_, id) = due_commission(&app, &p.key, "ann@example.com", "ann", "pi_1").await;
    let before = app.snapshot().await;

    for body in [
        json!({"due_at": ""}),
        json!({"due_at": null}),
        json!({"due_at": "  "}),
    ] {
        let (status, answer) = app
            .api(
                Method::PUT,
                &format!("/api/v1/commissions/{id}"),
                &p.key,
                Some(body.clone()),
            )
            .await;
        assert_eq!(status, 422, "{body}: {answer}");
        let errors = field_errors(&answer);
        assert_eq!(
            errors,
            vec![("due_at".to_owned(), "can't be blank".to_owned())],
            "{answer}"
        );
    }

    // Rewardful's paid_at is answered by name when it cannot be honoured.
    for body in [
        json!({"paid_at": "2026-08-23T20:37:59Z", "due_at": "2026-09-01"}),
        json!({"paid_at": 12}),
        json!({"paid_at": "yesterday-ish"}),
        json!({"paid_at": null}),
    ] {
        let (status, answer) = app
            .api(
                Method::PUT,
                &format!("/api/v1/commissions/{id}"),
                &p.key,
                Some(body.clone()),
            )
            .await;
        assert_eq!(status, 422, "{body}: {answer}");
        assert!(has_field_error(&answer, "paid_at"), "{body}: {answer}");
    }
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn voiding_with_a_reason_takes_a_due_commission_out_of_the_balance_once() {
    let app = spawn_app().await;
    let p = app.program().await;
    let (ann, id) = due_commission(&app, &p.key, "ann@example.com", "ann", "pi_1").await;
    let path = format!("/api/v1/commissions/{id}");

    let (status, body) = app
        .api(
            Method::PATCH,
            &path,
            &p.key,
            Some(json!({"status": "voided"})),
        )
        .await;
    assert_eq!(status, 422, "a void needs its reason: {body}");
    assert!(has_field_error(&body, "void_reason"));
    let (status, body) = app
        .api(
            Method::PATCH,
            &path,
            &p.key,
            Some(json!({"status": "voided", "void_reason": "other"})),
        )
        .await;
    assert_eq!(status, 422, "other needs a note: {body}");
    assert!(has_field_error(&body, "void_note"));
    for stray in [
        json!({"status": "due", "void_reason": "not a reason"}),
        json!({"amount": "21.00", "void_reason": "fraud"}),
        json!({"remarks": "checked", "void_note": "a note for no void"}),
    ] {
        let (status, body) = app
            .api(Method::PATCH, &path, &p.key, Some(stray.clone()))
            .await;
        assert_eq!(status, 422, "a reason without a void: {stray} → {body}");
        assert!(
            has_field_error(&body, "void_reason") || has_field_error(&body, "void_note"),
            "{body}"
        );
    }
    let (_, unchanged) = app.api_json(&path, &p.key).await;
    assert_eq!(unchanged["amount"], "20.00", "nothing half-saved");

    let (status, body) = app
        .api(
            Method::DELETE,
            &format!("{path}?reason=fraud&note=same%20card%20as%20the%20affiliate"),
            &p.key,
            None,
        )
        .await;

    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "voided");
    assert_eq!(body["void_reason"], "fraud");
    assert_eq!(body["void_note"], "same card as the affiliate");
    assert_eq!(
        body["amount"], "0.00",
        "a voided commission earns nothing now"
    );
    assert_eq!(body["original_amount"], "20.00");
    assert_eq!(balance(&app, &p.key, &ann).await, "0.00");
    app.assert_books_balance().await;
    assert_eq!(events_of(&app, "commission.voided").await, 1);
    let audit = last_audit(&app, "commission.voided").await;
    assert_eq!(audit["before"]["status"], "due");
    assert_eq!(audit["after"]["status"], "voided");
    assert_eq!(audit["void_reason"], "fraud");

    let (status, body) = app.api(Method::DELETE, &path, &p.key, None).await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("already voided")
    );
    let (status, body) = app
        .api(
            Method::PATCH,
            &path,
            &p.key,
            Some(json!({"remarks": "late note"})),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("voided commission cannot be edited")
    );
    assert_eq!(balance(&app, &p.key, &ann).await, "0.00");
    app.assert_books_balance().await;
}

#[tokio::test]
async fn a_paid_commission_cannot_be_edited_or_voided_and_the_answer_says_claw_it_back() {
    let app = spawn_app().await;
    let p = app.program().await;
    let (_, id) = due_commission(&app, &p.key, "ann@example.com", "ann", "pi_1").await;
    mark_paid_in_db(&app, &id).await;
    let path = format!("/api/v1/commissions/{id}");
    let before = app.snapshot().await;

    let (status, edit) = app
        .api(
            Method::PATCH,
            &path,
            &p.key,
            Some(json!({"amount": "1.00"})),
        )
        .await;
    let (void_status, void) = app
        .api(
            Method::DELETE,
            &format!("{path}?reason=duplicate"),
            &p.key,
            None,
        )
        .await;

    assert_eq!(status, 409, "{edit}");
    assert!(
        edit["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Claw it back"),
        "{edit}"
    );
    assert_eq!(void_status, 409, "{void}");
    assert!(
        void["error"]["message"]
            .as_str()
            .unwrap()
            .contains("claw it back"),
        "{void}"
    );
    assert_eq!(app.snapshot().await, before, "nothing written");
}

#[tokio::test]
async fn concurrent_edits_of_different_fields_both_land() {
    let app = spawn_app().await;
    let p = app.program().await;
    let (ann, id) = due_commission(&app, &p.key, "ann@example.com", "ann", "pi_1").await;
    let path = format!("/api/v1/commissions/{id}");

    for round in 0..10 {
        let amount = format!("{}.00", 21 + round);
        let remarks = format!("round {round}");
        let (a, b) = tokio::join!(
            app.api(
                Method::PATCH,
                &path,
                &p.key,
                Some(json!({"amount": amount}))
            ),
            app.api(
                Method::PATCH,
                &path,
                &p.key,
                Some(json!({"remarks": remarks}))
            ),
        );
        assert_eq!((a.0, b.0), (200, 200), "{} {}", a.1, b.1);
        let now = commission(&app, &p.key, &id).await;
        assert_eq!(
            now["amount"],
            amount.as_str(),
            "the amount edit was not lost"
        );
        assert_eq!(
            now["remarks"],
            remarks.as_str(),
            "the remarks edit was not lost"
        );
    }
    assert_eq!(balance(&app, &p.key, &ann).await, "30.00");
    app.assert_books_balance().await;
}

#[tokio::test]
async fn a_full_refund_reads_zero_and_one_dollar_refunds_sum_exactly() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = app
        .approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let ann = ann["id"].as_str().unwrap();
    let referral = app.referred("ann").await;
    let (_, sale) = app
        .api_post("/api/v1/sales", &p.key, json!({"external_id": "pi_r", "amount": "10.00", "occurred_at": "2026-01-01T00:00:00Z", "import": true, "referral_id": referral}))
        .await;
    let sale_id = sale["id"].as_str().unwrap();
    let id = sale["commissions"][0]["id"].as_str().unwrap().to_owned();
    tributary::services::commissions::promote_due(&app.db, chrono::Utc::now())
        .await
        .unwrap();

    let mut seen = Vec::new();
    for n in 1..=10 {
        let (status, body) = app
            .api(
                Method::POST,
                &format!("/api/v1/sales/{sale_id}/refunds"),
                &p.key,
                Some(json!({"amount": "1.00", "external_id": format!("re_{n}")})),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let c = commission(&app, &p.key, &id).await;
        assert_eq!(
            balance(&app, &p.key, ann).await,
            c["amount"].as_str().unwrap(),
            "the balance is what the commission earns now"
        );
        seen.push(c["amount"].as_str().unwrap().to_owned());
        app.assert_books_balance().await;
    }

    assert_eq!(
        seen,
        [
            "1.80", "1.60", "1.40", "1.20", "1.00", "0.80", "0.60", "0.40", "0.20", "0.00"
        ]
    );
    let c = commission(&app, &p.key, &id).await;
    assert_eq!(c["status"], "refunded");
    assert_eq!(c["amount"], "0.00");
    assert_eq!(c["original_amount"], "2.00");
    assert_eq!(c["refunded_amount"], "2.00");
    let (_, list) = app.api_json("/api/v1/commissions", &p.key).await;
    assert_eq!(list["data"][0]["amount"], "0.00", "the list reads the same");
}
