//! `durchwahl`: the one binary — server, demo and administration commands. Everything
//! but the allocator and the command dispatch is in the library (`durchwahl::…`), so tests
//! can run the server in their own process.

use clap::Parser;
use durchwahl::cli::{Cli, Command, ConfigCommand};
use durchwahl::{config, demo, logging, phones, runtime, users};
use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Config(ConfigCommand::Example) = cli.command {
        print!("{}", config::EXAMPLE);
        return ExitCode::SUCCESS;
    }
    let env: Vec<(String, String)> = std::env::vars().collect();
    let config = match config::load(cli.global.config.as_deref(), &env, &cli.flags()) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    logging::init(&config.log);
    let tokio = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = tokio.block_on(async {
        match cli.command {
            Command::Serve(_) => runtime::serve(&config).await,
            Command::Demo(_) => demo::run(&config).await,
            Command::Users(cmd) => users::run(&config, cmd).await,
            Command::Phones(cmd) => phones::run(&config, cmd).await,
            Command::Directory(cmd) => durchwahl::directory_sync::command::run(&config, cmd).await,
            Command::Backup { file } => durchwahl::backup::backup(&config, &file).await,
            Command::Restore { file } => durchwahl::backup::restore(&config, &file).await,
            Command::Doctor => durchwahl::doctor::run(&config).await,
            Command::Config(_) => Ok(()),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            match e.downcast_ref::<durchwahl::directory_sync::command::GuardStopped>() {
                Some(_) => ExitCode::from(3),
                None => ExitCode::FAILURE,
            }
        }
    }
}
