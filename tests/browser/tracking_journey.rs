//! A visitor arrives through `/r/{token}` on a small store site that embeds
//! `/t.js`; the script keeps the referral in a cookie on the store's page,
//! `Tributary.lead()` records the sign-up, the store's backend posts the
//! sale, and the owner sees the referral converted with its commission.

use actix_web::{App, HttpResponse, HttpServer, web};
use serde_json::json;

use crate::driver::*;
use crate::support::*;

/// The store's own site: another origin, with the tracking script on it.
async fn store_site(tributary: String) -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = HttpServer::new(move || {
        let tributary = tributary.clone();
        App::new().route("/", web::get().to(move || {
            let tributary = tributary.clone();
            async move {
                HttpResponse::Ok().content_type("text/html").body(format!(r#"<!doctype html><html><head><title>Shop</title>
<script src="{tributary}/t.js" data-store="acme"></script></head>
<body><h1>The Shop</h1>
<p>Referral: <span id="ref"></span></p>
<input id="signup-email" type="email"><button id="signup">Sign up</button>
<p id="lead-result"></p>
<script>
  Tributary.ready.then(function (r) {{ document.getElementById('ref').textContent = r || 'none'; }});
  document.getElementById('signup').addEventListener('click', function () {{
    Tributary.lead({{ email: document.getElementById('signup-email').value }}).then(function (a) {{
      document.getElementById('lead-result').textContent = a ? a.state : 'failed';
    }});
  }});
</script></body></html>"#))
            }
        }))
    })
    .listen(listener)
    .unwrap()
    .workers(1)
    .run();
    tokio::spawn(server);
    port
}

#[tokio::test]
async fn a_visitor_referred_through_the_script_becomes_a_customer_the_owner_can_see() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let key = app.api_key("acme").await;
    let shop_port = store_site(app.address.clone()).await;
    let shop = format!("http://127.0.0.1:{shop_port}");
    let (status, campaign) = app
        .api_post(
            "/api/v1/campaigns",
            &key,
            json!({"name": "Partners", "website_url": format!("{shop}/")}),
        )
        .await;
    assert_eq!(status, 201, "{campaign}");
    app.approved_affiliate(&key, "ann@example.com", "ann").await;
    let base = app.address.clone();
    let app_ref = &app;

    with_browser(|b| async move {
        // The click: Tributary records it and sends the visitor to the shop.
        b.goto(&format!("{base}/r/ann")).await.unwrap();
        let landed = b.current_url().await.unwrap();
        assert_eq!(landed.port(), Some(shop_port), "redirected to the shop");
        assert_eq!(query_param(landed.as_str(), "via").as_deref(), Some("ann"));
        let referral = wait_for_text(&b, "#ref", "-").await;
        assert_eq!(
            query_param(landed.as_str(), "tb_ref").as_deref(),
            Some(referral.as_str()),
            "the script adopted the click's referral"
        );
        let cookie = b.execute("return document.cookie;", vec![]).await.unwrap();
        assert!(
            cookie
                .as_str()
                .unwrap()
                .contains(&format!("tributary_ref={referral}")),
            "a first-party cookie on the shop: {cookie}"
        );

        // Sign-up on the shop page.
        fill(&b, "#signup-email", "carol@example.com").await;
        click(&b, "#signup").await;
        wait_for_text(&b, "#lead-result", "lead").await;

        // The shop's backend reports the payment.
        let (status, sale) = app_ref
            .api_post(
                "/api/v1/sales",
                &key,
                json!({"external_id": "pi_browser", "amount": "150.00", "referral_id": referral}),
            )
            .await;
        assert_eq!(status, 201, "{sale}");
        assert_eq!(sale["commissions"][0]["amount"], "30.00");

        // The owner sees it in the admin.
        b.goto(&format!("{base}/login")).await.unwrap();
        fill(&b, "#email", OWNER_EMAIL).await;
        fill(&b, "#password", OWNER_PASSWORD).await;
        click(&b, "form[action='/login'] button[type=submit]").await;
        wait_for_text(&b, "main h1", "Acme Shop").await;
        click(&b, "aside a[href='/admin/referrals']").await;
        let row = format!("#referral-{referral}");
        wait_for_text(&b, &format!("{row} [data-state='converted']"), "customer").await;
        wait_for_text(&b, &row, "carol@example.com").await;
        click(&b, &format!("{row} a")).await;
        wait_for_text(&b, "#referral-state", "customer").await;
        wait_for_text(&b, "#referral-commissions [data-status]", "pending").await;
        wait_for_text(&b, "#referral-commissions", "30.00 USD").await;
        wait_for_text(&b, "#timeline", "Signed up").await;
        wait_for_text(&b, "#timeline", "Visit").await;
    })
    .await;
}
