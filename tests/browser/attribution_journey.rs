//! Manual attribution as staff do it: pick an affiliate for an unattributed
//! sale, read the commission it will make, confirm; then undo it, attribute
//! it again and move it to another affiliate.

use crate::driver::*;
use crate::support::*;
use serde_json::json;

#[tokio::test]
async fn staff_attribute_a_sale_undo_it_and_move_it() {
    let app = spawn_app().await;
    let p = app.program().await;
    app.approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    app.new_affiliate(
        &p.key,
        "bob@example.com",
        json!({"status": "approved", "link_token": "bob", "first_name": "Bob"}),
    )
    .await;
    let (status, sale) = app
        .api_post(
            "/api/v1/sales",
            &p.key,
            json!({"external_id": "pay_9", "amount": "100.00"}),
        )
        .await;
    assert_eq!(status, 201, "{sale}");
    let id = sale["id"].as_str().unwrap().to_owned();
    let base = app.address.clone();

    with_browser(|b| async move {
        b.goto(&format!("{base}/login")).await.unwrap();
        fill(&b, "#email", OWNER_EMAIL).await;
        fill(&b, "#password", OWNER_PASSWORD).await;
        click(&b, "form[action='/login'] button[type=submit]").await;
        wait_for_text(&b, "main h1", "Acme Shop").await;

        // From the Sales list: the picker starts empty; typing finds Ann.
        b.goto(&format!("{base}/admin/sales?unattributed=true"))
            .await
            .unwrap();
        let options = format!("#sale-{id}-options");
        let none = b
            .find(fantoccini::Locator::Css(&format!("{options} input")))
            .await;
        assert!(none.is_err(), "nobody is picked before typing");
        fill(&b, &format!("#sale-{id}-search"), "ann").await;
        wait_for_text(&b, &options, "Ann Smith").await;
        click(&b, &format!("{options} input[type=radio]")).await;
        click(
            &b,
            &format!("#sale-{id} form.attribute-form button[type=submit]"),
        )
        .await;
        wait_for_text(&b, "#preview-result", "20.00 USD").await;
        click(&b, "#confirm-attribution").await;
        wait_for_text(&b, ".flash", "Sale attributed").await;

        // Undo it on the sale's page.
        b.goto(&format!("{base}/admin/sales/{id}")).await.unwrap();
        click(&b, "#undo-attribution button[type=submit]").await;
        wait_for_text(&b, ".flash", "Attribution undone").await;
        wait_for_text(&b, "#sale-commissions", "voided").await;

        // Attribute it again, then move it to Bob.
        fill(&b, "#attribute-search", "ann").await;
        wait_for_text(&b, "#attribute-options", "Ann Smith").await;
        click(&b, "#attribute-options input[type=radio]").await;
        click(&b, "#attribute-sale button[type=submit]").await;
        click(&b, "#confirm-attribution").await;
        wait_for_text(&b, ".flash", "Sale attributed").await;
        b.goto(&format!("{base}/admin/sales/{id}")).await.unwrap();
        fill(&b, "#move-search", "bob").await;
        wait_for_text(&b, "#move-options", "Bob Smith").await;
        click(&b, "#move-options input[type=radio]").await;
        click(&b, "#move-attribution button[type=submit]").await;
        wait_for_text(&b, "#preview-voids", "Ann Smith").await;
        wait_for_text(&b, "#preview-result", "Bob Smith").await;
        click(&b, "#confirm-attribution").await;
        wait_for_text(&b, ".flash", "Attribution moved").await;
        let commissions = wait_for_text(&b, "#sale-commissions", "Bob Smith").await;
        assert!(commissions.contains("pending"), "{commissions}");
        wait_for_text(&b, "main hgroup", "Bob Smith").await;
    })
    .await;
}
