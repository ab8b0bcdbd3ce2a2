//! The timer of the access gateway's health checks: every `INTERVAL` it asks each
//! proxied application's upstream (`web::gateway::health`), for the administrators' page.

/// Runs until aborted.
pub async fn run(state: web::AppState) {
    let mut tick = tokio::time::interval(web::gateway::health::INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        web::gateway::health::check_all(&state.gateway, state.now()).await;
    }
}
