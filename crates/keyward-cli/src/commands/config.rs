use std::process::ExitCode;

use crate::failure::Result;

use super::Ctx;
use crate::cli::ConfigCmd;
use crate::output::print;

pub async fn run(ctx: &Ctx, cmd: ConfigCmd) -> Result<ExitCode> {
    if let ConfigCmd::Set { name, value } = &cmd {
        ctx.keyward.set_mail_config(name, value).await?;
    }
    let config = ctx.keyward.mail_config().await?;
    print(ctx.json, &config, |c| {
        format!(
            "smtp.url  = {}\nsmtp.from = {}",
            c.url.as_deref().unwrap_or("(not set)"),
            c.from.as_deref().unwrap_or("(not set)")
        )
    });
    Ok(ExitCode::SUCCESS)
}
