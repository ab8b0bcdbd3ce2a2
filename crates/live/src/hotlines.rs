//! The way from the web to the hotlines' switchboard (in the call service): agents' own
//! commands and views, a hotline's live board, and "the settings changed".

use crate::calls::DeskError;
use tokio::sync::{mpsc, oneshot};

/// What an agent does (`POST /api/v1/hotline/agent`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgentCommand {
    /// Log in to a queue (`None`: to all of one's queues).
    LogIn(Option<i64>),
    /// Log out of a queue (`None`: of all).
    LogOut(Option<i64>),
    /// Pause with a reason.
    Pause(String),
    /// End the pause.
    Resume,
    /// End the wrap-up early.
    EndWrapUp,
    /// Take the calls on this device from now on.
    AnswerOn(AnswerOn),
    /// Only tell the state.
    Status,
}

/// Where an agent takes the hotline's calls ("any device").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerOn {
    /// The browser when one is open, else the desk phones.
    #[default]
    Auto,
    /// Only the browser.
    Browser,
    /// The desk phones, through the switch.
    Phone,
    /// The mobile number of the directory, through the trunk.
    Mobile,
}

impl AnswerOn {
    /// Every choice.
    pub const ALL: [AnswerOn; 4] = [
        AnswerOn::Auto,
        AnswerOn::Browser,
        AnswerOn::Phone,
        AnswerOn::Mobile,
    ];

    /// The name in the API and the store.
    pub fn as_str(self) -> &'static str {
        match self {
            AnswerOn::Auto => "auto",
            AnswerOn::Browser => "browser",
            AnswerOn::Phone => "phone",
            AnswerOn::Mobile => "mobile",
        }
    }

    /// The choice with this name.
    pub fn parse(name: &str) -> Option<AnswerOn> {
        AnswerOn::ALL.into_iter().find(|a| a.as_str() == name)
    }
}

/// One of an agent's queues.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AgentQueue {
    /// The queue.
    pub queue: i64,
    /// Its name.
    pub name: String,
    /// Its hotline.
    pub hotline: i64,
    /// The hotline's name.
    pub hotline_name: String,
    /// The agent's level there (1: offered first).
    pub level: i64,
    /// Logged in there now.
    pub logged_in: bool,
    /// Callers waiting there now.
    pub waiting: u32,
}

/// An agent as they see themselves.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AgentView {
    /// `logged_out`, `ready`, `ringing`, `on_call`, `wrap_up`, `paused`.
    pub state: &'static str,
    /// The pause's reason.
    pub reason: Option<String>,
    /// When the wrap-up ends by itself (Unix ms).
    pub wrap_up_until_ms: Option<i64>,
    /// Calls answered since the server started today.
    pub calls_today: u32,
    /// The queues they are an agent of.
    pub queues: Vec<AgentQueue>,
    /// Where they take the calls.
    pub answer_on: AnswerOn,
}

/// A waiting caller on a hotline's board.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WaitingLine {
    /// The queue.
    pub queue: i64,
    /// Since when (Unix ms).
    pub since_ms: i64,
    /// A callback keeping its place.
    pub callback: bool,
}

/// An agent on a hotline's board.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AgentLine {
    /// The person.
    pub agent: i64,
    /// As in [`AgentView::state`].
    pub state: &'static str,
    /// The pause's reason.
    pub reason: Option<String>,
    /// The queues of this hotline they are logged in to.
    pub queues: Vec<i64>,
    /// Calls answered today.
    pub calls_today: u32,
}

/// A hotline now.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct BoardView {
    /// Who waits, first in line first (per queue).
    pub waiting: Vec<WaitingLine>,
    /// Logged-in agents.
    pub agents: Vec<AgentLine>,
    /// Supervisors may listen in and whisper (switched on by an administrator).
    pub listening: bool,
}

/// What the switchboard is asked.
#[derive(Debug)]
pub enum HotlineInput {
    /// An agent's command.
    Agent {
        /// Who.
        agent: i64,
        /// What.
        command: AgentCommand,
        /// Their state afterwards, or why not.
        reply: oneshot::Sender<Result<AgentView, DeskError>>,
    },
    /// A hotline's board.
    Board {
        /// Which.
        hotline: i64,
        /// Now.
        reply: oneshot::Sender<BoardView>,
    },
    /// Hotlines, queues or agents changed in the store: read them again (`done` when read).
    Reload {
        /// Answered once the switchboard has the new settings.
        done: oneshot::Sender<()>,
    },
}

/// The web's handle to the switchboard.
#[derive(Debug, Clone)]
pub struct HotlineDesk(mpsc::Sender<HotlineInput>);

fn unavailable() -> DeskError {
    DeskError {
        code: "unavailable",
        message: "Die Hotline ist gerade nicht erreichbar.".into(),
    }
}

impl HotlineDesk {
    /// A desk whose inputs go to `tx`.
    pub fn new(tx: mpsc::Sender<HotlineInput>) -> HotlineDesk {
        HotlineDesk(tx)
    }

    /// An agent's command.
    pub async fn agent(&self, agent: i64, command: AgentCommand) -> Result<AgentView, DeskError> {
        let (reply, rx) = oneshot::channel();
        let input = HotlineInput::Agent {
            agent,
            command,
            reply,
        };
        self.0.send(input).await.map_err(|_| unavailable())?;
        rx.await.map_err(|_| unavailable())?
    }

    /// A hotline's board now.
    pub async fn board(&self, hotline: i64) -> Result<BoardView, DeskError> {
        let (reply, rx) = oneshot::channel();
        let input = HotlineInput::Board { hotline, reply };
        self.0.send(input).await.map_err(|_| unavailable())?;
        rx.await.map_err(|_| unavailable())
    }

    /// The settings changed: returns once the switchboard has read them.
    pub async fn reload(&self) {
        let (done, rx) = oneshot::channel();
        if self.0.send(HotlineInput::Reload { done }).await.is_ok() {
            let _ = rx.await;
        }
    }
}
