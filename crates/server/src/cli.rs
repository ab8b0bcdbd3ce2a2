//! The command line of the `durchwahl` binary.

use crate::config::{Flags, LogFormat};
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Durchwahl: reachable under one's own extension anywhere.
#[derive(Debug, Parser)]
#[command(name = "durchwahl", version, about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Options every command accepts.
    #[command(flatten)]
    pub global: GlobalArgs,
}

/// Options every command accepts.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Configuration file (TOML); see `durchwahl config example`.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Folder for the embedded database and stored files.
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// sqlite://PATH or postgres://USER@HOST/DB (default: SQLite in the data folder).
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// Log filter, e.g. `info` or `debug`.
    #[arg(long, global = true, value_name = "FILTER")]
    pub log_level: Option<String>,
    /// Log format.
    #[arg(long, global = true, value_enum)]
    pub log_format: Option<LogFormat>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server from the configuration.
    Serve(ServeArgs),
    /// Run a ready demo organisation ("Landratsamt Musterstadt") on SQLite.
    Demo(ServeArgs),
    /// Configuration helpers.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Staff directory: import, export, feature switches, passwords.
    #[command(subcommand)]
    Users(UsersCommand),
    /// SIP devices: softphones, desk phones and mobiles, each with its own credentials.
    #[command(subcommand)]
    Phones(PhonesCommand),
    /// The LDAP directory (`[directory.ldap]`): sync now, show the latest syncs.
    #[command(subcommand)]
    Directory(DirectoryCommand),
    /// Write a consistent backup of the database and the data folder to FILE while the
    /// server runs.
    Backup {
        /// The backup file to write (it must not exist yet).
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Restore a backup into an empty data folder (and an empty database).
    Restore {
        /// The backup file written by `durchwahl backup`.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Check the installation: ports, certificates, database, TURN, SMTP, clock.
    Doctor,
}

/// `durchwahl directory …`
#[derive(Debug, Subcommand)]
pub enum DirectoryCommand {
    /// Sync with the directory now and print what changed (exit code 3 when the guard
    /// stopped it, 1 when it failed).
    Sync {
        /// Only show what would be added, changed and disabled; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Apply even when more than `max_disable_percent` of everyone would be disabled.
        #[arg(long)]
        confirm: bool,
        /// Read every entry, even if an incremental sync is due.
        #[arg(long)]
        full: bool,
    },
    /// List the latest syncs.
    Runs,
}

/// `durchwahl phones …`
#[derive(Debug, Subcommand)]
pub enum PhonesCommand {
    /// Create a device for a person; prints its credentials once.
    Add {
        /// The person's login.
        login: String,
        /// What the device is, e.g. "Softphone Homeoffice".
        #[arg(long)]
        label: String,
        /// Print one JSON object instead of key=value lines.
        #[arg(long)]
        json: bool,
    },
    /// List devices (of one person, or everyone's).
    List {
        /// Only this person's devices.
        login: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Remove a device; it can no longer register.
    Remove {
        /// Its SIP user name.
        sip_username: String,
    },
    /// Create devices from a CSV file `login,label,password` (all or none; an empty
    /// password is generated) and write the credentials to a new file.
    Import {
        /// The CSV file.
        file: PathBuf,
        /// The credentials file to create: login,label,sip_username,sip_password,extension,domain.
        #[arg(long, value_name = "CREDS.csv")]
        out: PathBuf,
    },
}

/// Options of `serve` and `demo`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address for the web client and HTTP API, e.g. 127.0.0.1:8080 (port 0 picks a free one).
    #[arg(long, value_name = "ADDR")]
    pub http_listen: Option<SocketAddr>,
    /// UDP and TCP address for SIP phones, e.g. 0.0.0.0:5060 (port 0 picks a free one).
    #[arg(long, value_name = "ADDR")]
    pub sip_listen: Option<SocketAddr>,
    /// A reverse proxy (address or network) whose Forwarded / X-Forwarded-For headers are
    /// believed; repeat for more. Replaces `[http] trusted_proxies` (docs/reverse-proxy.md).
    #[arg(long, value_name = "ADDR_OR_NETWORK")]
    pub trusted_proxy: Vec<String>,
}

/// `durchwahl config …`
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print a fully commented configuration file.
    Example,
}

/// `durchwahl users …`
#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Import staff from a CSV file (all or nothing).
    Import {
        /// The CSV file: header `login,name,unit,extension[,email,mobile,home_phone,roles,features]`.
        file: PathBuf,
        /// Check the file and show what would change, without writing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Export staff to a CSV file in the import format (`-` for standard output).
    Export {
        /// Where to write.
        file: PathBuf,
        /// Write `;`-separated UTF-8 with byte order mark, as German Excel opens it.
        #[arg(long)]
        excel: bool,
    },
    /// Switch a feature on for a whole unit (with its sub-units) or for people.
    Enable(FeatureArgs),
    /// Switch a feature off for a whole unit (with its sub-units) or for people.
    Disable(FeatureArgs),
    /// Set a person's password, read from standard input.
    SetPassword {
        /// The person's login.
        login: String,
    },
    /// Print staff as a table.
    List {
        /// Only this unit and the units below it, e.g. "Abteilung 2/Sachgebiet 23 IKT".
        #[arg(long, value_name = "PATH")]
        unit: Option<String>,
    },
}

/// Whom a feature switch applies to.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("who").required(true).args(["unit", "login"])))]
pub struct FeatureArgs {
    /// softphone, meetings, mobile_work or hotline.
    pub feature: String,
    /// A unit path; everyone in it and in the units below it.
    #[arg(long, value_name = "PATH", conflicts_with = "login")]
    pub unit: Option<String>,
    /// One or more logins.
    #[arg(long, value_name = "LOGIN", num_args = 1..)]
    pub login: Vec<String>,
}

impl Cli {
    /// The values that override the configuration.
    pub fn flags(&self) -> Flags {
        let (http_listen, sip_listen, trusted_proxies) = match &self.command {
            Command::Serve(a) | Command::Demo(a) => {
                (a.http_listen, a.sip_listen, a.trusted_proxy.clone())
            }
            _ => (None, None, Vec::new()),
        };
        Flags {
            data_dir: self.global.data_dir.clone(),
            database_url: self.global.database_url.clone(),
            http_listen,
            sip_listen,
            trusted_proxies,
            log_level: self.global.log_level.clone(),
            log_format: self.global.log_format,
        }
    }
}
