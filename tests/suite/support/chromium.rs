//! Headless Chromium, driven over the Chrome DevTools Protocol (CDP): a
//! JSON-RPC over a websocket (`tungstenite`). Just what the browser upload
//! test needs: open a tab, load a page, run JavaScript, set a file input.
//!
//! Chromium is started with `--remote-debugging-port=0` and a fresh
//! profile directory; it prints the browser's websocket URL on stderr
//! (`DevTools listening on ws://127.0.0.1:PORT/...`). A tab is made with
//! `Target.createTarget`, and driven through its own websocket,
//! `ws://127.0.0.1:PORT/devtools/page/TARGET_ID`. Every wait is bounded;
//! the browser is closed (`Browser.close`) when dropped, and killed with
//! its [`ChildGuard`] if it has not exited within 5 s.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tungstenite::{Message, WebSocket};

use super::peers::{on_path, INSTALL_HINT};
use super::process::ChildGuard;
use super::tempdir::TempDir;

/// How long the browser may take to start, and each CDP call to answer.
const WAIT: Duration = Duration::from_secs(30);

/// A headless Chromium process.
pub struct Chromium {
    /// 127.0.0.1 port of the DevTools endpoint.
    port: u16,
    browser: Connection,
    // Declared before the profile: the browser stops before its files go.
    child: ChildGuard,
    _profile: TempDir,
}

impl Chromium {
    /// Starts `chromium` (or `chromium-browser`, `google-chrome`) from
    /// `PATH` headless; panics naming `ci/install-peers` when none is
    /// installed, or when it does not announce its DevTools endpoint in time.
    pub fn start() -> Chromium {
        let binary = ["chromium", "chromium-browser", "google-chrome"]
            .iter()
            .find_map(|n| on_path(n))
            .unwrap_or_else(|| panic!("Chromium is not installed: {INSTALL_HINT}"));
        let profile = TempDir::new("chromium");
        let child = Command::new(binary)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-breakpad",
                "--disable-crash-reporter",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("start chromium: {e}"));
        let mut child = ChildGuard(child);
        let stderr = child.0.stderr.take().expect("chromium stderr");
        // Read stderr on a thread (to the end, so the pipe never fills up);
        // the announced URL comes back through a channel, within WAIT.
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("DevTools listening on ") {
                    let _ = tx.send(url.trim().to_string());
                }
            }
        });
        let url = rx.recv_timeout(WAIT).unwrap_or_else(|_| {
            panic!("chromium did not announce its DevTools endpoint within {WAIT:?}")
        });
        let port = url
            .strip_prefix("ws://127.0.0.1:")
            .and_then(|rest| rest.split('/').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("unexpected DevTools URL {url}"));
        Chromium {
            port,
            browser: Connection::open(&url, port),
            child,
            _profile: profile,
        }
    }

    /// A new tab (at `about:blank`) and its own connection.
    pub fn new_page(&mut self) -> Page {
        let target = self
            .browser
            .call("Target.createTarget", json!({ "url": "about:blank" }));
        let id = target["targetId"].as_str().expect("targetId");
        let url = format!("ws://127.0.0.1:{}/devtools/page/{id}", self.port);
        let mut page = Page {
            connection: Connection::open(&url, self.port),
        };
        page.connection.call("Page.enable", json!({}));
        page
    }
}

impl Drop for Chromium {
    /// Asks the browser to close (it then stops its own helper processes)
    /// and waits for it, at most 5 s; the [`ChildGuard`] kills it after.
    fn drop(&mut self) {
        let close = json!({ "id": 0, "method": "Browser.close" }).to_string();
        if self.browser.socket.send(Message::text(close)).is_ok() {
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline && matches!(self.child.0.try_wait(), Ok(None)) {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

/// A browser tab.
pub struct Page {
    connection: Connection,
}

impl Page {
    /// Loads `url` and waits (bounded) for its load event.
    pub fn navigate(&mut self, url: &str) {
        self.connection.events.clear();
        let r = self.connection.call("Page.navigate", json!({ "url": url }));
        assert!(r.get("errorText").is_none(), "navigate to {url}: {r}");
        self.connection.wait_event("Page.loadEventFired");
    }

    /// The value of the JavaScript `expression` (JSON-serializable).
    pub fn evaluate(&mut self, expression: &str) -> Value {
        let r = self.connection.call(
            "Runtime.evaluate",
            json!({ "expression": expression, "returnByValue": true }),
        );
        assert!(
            r.get("exceptionDetails").is_none(),
            "{expression} threw: {r}"
        );
        r["result"]["value"].clone()
    }

    /// Chooses `files` in the file input matching the CSS `selector`.
    pub fn set_file_input(&mut self, selector: &str, files: &[&std::path::Path]) {
        let document = self.connection.call("DOM.getDocument", json!({}));
        let found = self.connection.call(
            "DOM.querySelector",
            json!({ "nodeId": document["root"]["nodeId"], "selector": selector }),
        );
        let node = found["nodeId"].as_i64().unwrap_or(0);
        assert!(node != 0, "no element matches {selector}");
        let files: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
        self.connection.call(
            "DOM.setFileInputFiles",
            json!({ "nodeId": node, "files": files }),
        );
    }

    /// Evaluates `expression` until it is `true`, at most `within`.
    pub fn wait_until(&mut self, expression: &str, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            // A navigation may be under way: its context may not answer
            // yet (an error answer), so errors only mean "not yet".
            let r = self.connection.request(
                "Runtime.evaluate",
                json!({ "expression": expression, "returnByValue": true }),
            );
            if r["result"]["result"]["value"] == json!(true) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    }
}

/// One CDP websocket: numbered calls, the events seen while waiting.
struct Connection {
    socket: WebSocket<TcpStream>,
    next_id: u64,
    events: Vec<Value>,
}

impl Connection {
    fn open(url: &str, port: u16) -> Connection {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to DevTools");
        // The handshake may wait for a busy browser, up to WAIT; after it,
        // reads wake up every 200 ms so every wait can check its deadline.
        stream.set_read_timeout(Some(WAIT)).unwrap();
        let (socket, _) = tungstenite::client(url, stream)
            .unwrap_or_else(|e| panic!("DevTools websocket {url}: {e}"));
        socket
            .get_ref()
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        Connection {
            socket,
            next_id: 1,
            events: Vec::new(),
        }
    }

    /// The next message, or `None` when none came within the read timeout.
    fn read(&mut self) -> Option<Value> {
        match self.socket.read() {
            Ok(Message::Text(text)) => {
                Some(serde_json::from_str(text.as_str()).expect("CDP message"))
            }
            Ok(_) => None,
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                None
            }
            Err(e) => panic!("DevTools websocket: {e}"),
        }
    }

    /// Calls `method`; its `result` (panics on a CDP error).
    fn call(&mut self, method: &str, params: Value) -> Value {
        let answer = self.request(method, params);
        assert!(answer.get("error").is_none(), "{method}: {answer}");
        answer["result"].clone()
    }

    /// Calls `method`; the whole answer (`result` or `error`), within WAIT.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let request = json!({ "id": id, "method": method, "params": params });
        self.socket
            .send(Message::text(request.to_string()))
            .expect("send to DevTools");
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            let Some(message) = self.read() else { continue };
            if message["id"] == json!(id) {
                return message;
            }
            if message.get("method").is_some() {
                self.events.push(message);
            }
        }
        panic!("{method}: no answer within {WAIT:?}");
    }

    /// Waits (at most WAIT) for the event `method`, also when it came
    /// during a call.
    fn wait_event(&mut self, method: &str) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(i) = self.events.iter().position(|e| e["method"] == method) {
                return self.events.remove(i);
            }
            assert!(Instant::now() < deadline, "no {method} within {WAIT:?}");
            if let Some(message) = self.read() {
                if message.get("method").is_some() {
                    self.events.push(message);
                }
            }
        }
    }
}
