//! Requests to show an account in the window (a clicked reminder notification), delivered over
//! a channel the UI opens at start.
//!
//! Why not a Tauri event: `listen` makes Tauri evaluate a script in the web view from the app
//! process, and WebKit answers with a JavaScript value, which starts a JavaScriptCore VM in the
//! app process at every launch (~3 MB resident for the app's lifetime). A channel costs nothing
//! until it carries a message.

use std::sync::Mutex;

use tauri::ipc::Channel;

#[derive(Default)]
pub struct OpenRequests(Mutex<Route>);

#[derive(Default)]
struct Route {
    channel: Option<Channel<String>>,
    /// A request made before the UI subscribed (or while it reloads): delivered on subscribe.
    pending: Option<String>,
}

impl OpenRequests {
    /// The UI's channel; replaces an earlier one (a reloaded page subscribes again).
    pub fn subscribe(&self, channel: Channel<String>) {
        let mut route = self.route();
        route.channel = Some(channel);
        if let Some(account) = route.pending.take() {
            route.deliver(account);
        }
    }

    /// Asks the UI to show `account`'s API key tab, now or as soon as it subscribes.
    pub fn open(&self, account: &str) {
        self.route().deliver(account.to_owned());
    }

    fn route(&self) -> std::sync::MutexGuard<'_, Route> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Route {
    /// Sends to the subscribed UI; kept for the next subscribe when there is none or it failed.
    fn deliver(&mut self, account: String) {
        let sent = self.channel.as_ref().is_some_and(|channel| channel.send(account.clone()).is_ok());
        if !sent {
            tracing::debug!("no window took the open request; kept for the next subscribe");
            self.pending = Some(account);
        }
    }
}

/// The UI subscribes once at start; each message is an account name to open.
#[tauri::command]
pub fn open_requests_subscribe(requests: tauri::State<'_, OpenRequests>, channel: Channel<String>) {
    requests.subscribe(channel);
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tauri::ipc::{Channel, InvokeResponseBody};

    use super::OpenRequests;

    /// A channel that records what it carries, or refuses everything (a closed window).
    fn channel(seen: &Arc<Mutex<Vec<String>>>, works: bool) -> Channel<String> {
        let seen = Arc::clone(seen);
        Channel::new(move |body| match (works, body) {
            (true, InvokeResponseBody::Json(json)) => {
                seen.lock().unwrap().push(serde_json::from_str(&json).unwrap());
                Ok(())
            }
            (true, raw) => panic!("a name travels as JSON, not {raw:?}"),
            (false, _) => Err(tauri::Error::WebviewNotFound),
        })
    }

    #[test]
    fn a_request_reaches_the_subscribed_ui_at_once() {
        let (requests, seen) = (OpenRequests::default(), Arc::new(Mutex::new(Vec::new())));
        requests.subscribe(channel(&seen, true));
        requests.open("acme");
        requests.open("globex");
        assert_eq!(*seen.lock().unwrap(), ["acme", "globex"]);
    }

    #[test]
    fn a_request_before_the_ui_subscribes_or_while_it_cannot_take_it_waits_for_the_next_subscribe() {
        let (requests, seen) = (OpenRequests::default(), Arc::new(Mutex::new(Vec::new())));
        requests.open("acme"); // the notification was clicked while the page was loading
        requests.subscribe(channel(&seen, false)); // a page that goes away at once
        requests.subscribe(channel(&seen, true));
        assert_eq!(*seen.lock().unwrap(), ["acme"], "delivered once, to the page that took it");
        requests.subscribe(channel(&seen, true));
        assert_eq!(seen.lock().unwrap().len(), 1, "not delivered again");
    }
}
