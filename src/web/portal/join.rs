//! The public join page of a store's default campaign, or of another public
//! campaign. Invite-only, archived and unknown campaigns are a 404.

use std::collections::HashMap;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;
use uuid::Uuid;

use super::login::after_sign_in;
use super::principal::path_store;
use super::shell::PortalShell;
use crate::domain::{CampaignId, ValidationErrors};
use crate::services::portal::PortalStore;
use crate::services::portal::join::{self, JoinInput, JoinRefused, Origin};
use crate::services::{ServiceError, UseCaseError};
use crate::web::extractors::{client_ip, csrf_token};
use crate::web::{AppState, WebError, render};

pub struct Question {
    pub field: String,
    pub text: String,
    pub value: String,
}

#[derive(Template)]
#[template(path = "portal/join.html")]
struct JoinPage {
    shell: PortalShell,
    action: String,
    campaign: String,
    approval_required: bool,
    form: JoinInput,
    questions: Vec<Question>,
    errors: ValidationErrors,
    refused: Option<String>,
}

fn questions(store: &PortalStore, answers: &[String]) -> Vec<Question> {
    store
        .questions
        .iter()
        .enumerate()
        .map(|(i, text)| Question {
            field: format!("answer_{i}"),
            text: text.clone(),
            value: answers.get(i).cloned().unwrap_or_default(),
        })
        .collect()
}

async fn show(
    state: &AppState,
    req: &HttpRequest,
    session: &Session,
    campaign_id: Option<Uuid>,
) -> Result<HttpResponse, WebError> {
    let store = path_store(state, req).await?;
    let campaign = join::join_campaign(&state.db, store.id, campaign_id.map(CampaignId)).await?;
    render(
        StatusCode::OK,
        &JoinPage {
            shell: PortalShell::anonymous(&store, csrf_token(req), session),
            action: req.path().to_owned(),
            campaign: campaign.name,
            approval_required: campaign.approval_required,
            questions: questions(&store, &[]),
            form: JoinInput::default(),
            errors: ValidationErrors::new(),
            refused: None,
        },
    )
}

/// The form as sent: known fields, and `answer_{i}` for each question.
fn input_of(form: &HashMap<String, String>, count: usize) -> JoinInput {
    let text = |k: &str| form.get(k).cloned().unwrap_or_default();
    JoinInput {
        first_name: text("first_name"),
        last_name: text("last_name"),
        email: text("email"),
        password: text("password"),
        payout_email: text("payout_email"),
        answers: (0..count).map(|i| text(&format!("answer_{i}"))).collect(),
    }
}

async fn submit_to(
    state: &AppState,
    req: &HttpRequest,
    session: &Session,
    campaign_id: Option<Uuid>,
    form: HashMap<String, String>,
) -> Result<HttpResponse, WebError> {
    let store = path_store(state, req).await?;
    let campaign = join::join_campaign(&state.db, store.id, campaign_id.map(CampaignId)).await?;
    let input = input_of(&form, store.questions.len());
    let ip = client_ip(req);
    let origin = Origin {
        ip_hash: state.ip_mac.hex_prefix(ip.as_bytes(), 16),
        ip,
        user_agent: req
            .headers()
            .get(actix_web::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    };
    let again = |status: StatusCode, errors: ValidationErrors, refused: Option<String>| {
        let form = JoinInput {
            password: String::new(),
            ..input.clone()
        };
        render(
            status,
            &JoinPage {
                shell: PortalShell::anonymous(&store, csrf_token(req), session),
                action: req.path().to_owned(),
                campaign: campaign.name.clone(),
                approval_required: campaign.approval_required,
                questions: questions(&store, &form.answers),
                form,
                errors,
                refused,
            },
        )
    };
    match join::join(
        &state.db,
        &store,
        Some(CampaignId(campaign.id)),
        input.clone(),
        origin,
        Utc::now(),
    )
    .await
    {
        Ok(affiliate) => after_sign_in(session, &store, &affiliate),
        Err(UseCaseError::Failed(ServiceError::Validation(errors))) => {
            again(StatusCode::UNPROCESSABLE_ENTITY, errors, None)
        }
        Err(UseCaseError::Refused(why @ JoinRefused::TooMany(_))) => again(
            StatusCode::TOO_MANY_REQUESTS,
            ValidationErrors::new(),
            Some(why.to_string()),
        ),
        Err(e) => Err(e.into()),
    }
}

pub async fn form(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
) -> Result<HttpResponse, WebError> {
    show(&state, &req, &session, None).await
}

pub async fn form_for_campaign(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    path: web::Path<(String, Uuid)>,
) -> Result<HttpResponse, WebError> {
    show(&state, &req, &session, Some(path.1)).await
}

pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, WebError> {
    submit_to(&state, &req, &session, None, form.into_inner()).await
}

pub async fn submit_for_campaign(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    path: web::Path<(String, Uuid)>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, WebError> {
    submit_to(&state, &req, &session, Some(path.1), form.into_inner()).await
}
