//! The ceiling for the click benchmark (bench/clicks.sh): a bare actix-web
//! handler answering `GET /r/{token}` with 302 + Set-Cookie and nothing else.

use actix_web::{App, HttpResponse, HttpServer, web};

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let bind = std::env::var("BIND").unwrap_or_else(|_| "127.0.0.1:18181".into());
    HttpServer::new(|| {
        App::new().route(
            "/r/{token}",
            web::get().to(|token: web::Path<String>| async move {
                HttpResponse::Found()
                    .insert_header(("Location", format!("https://shop.example.com/?via={token}")))
                    .insert_header(("Set-Cookie", "tb_vid=00000000-0000-0000-0000-000000000000; Path=/; HttpOnly; SameSite=Lax"))
                    .finish()
            }),
        )
    })
    .bind(bind)?
    .run()
    .await
}
