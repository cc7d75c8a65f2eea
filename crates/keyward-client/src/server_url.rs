//! A team server's address as a device accepts it. The device token travels in every request,
//! so plain HTTP is accepted only to this machine, unless the person says `--insecure`.

use std::net::IpAddr;

use keyward_core::error::{Result, TeamProblem};
use url::{Host, Url};

/// The server's base URL (ending in `/`, so API paths join under it).
pub fn checked(text: &str, insecure: bool) -> Result<Url> {
    let bad = || TeamProblem::ServerUrl { url: text.to_owned() };
    let mut url = Url::parse(text.trim()).map_err(|_| bad())?;
    let host = url.host().ok_or_else(bad)?;
    match url.scheme() {
        "https" => {}
        "http" if insecure || is_this_machine(&host) => {}
        "http" => return Err(TeamProblem::Insecure { url: text.trim().to_owned() }.into()),
        _ => return Err(bad().into()),
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err(bad().into());
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

fn is_this_machine(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use keyward_core::Error;

    #[test]
    fn https_anywhere_http_only_here_unless_insecure() {
        assert_eq!(checked("https://keys.example.com", false).unwrap().as_str(), "https://keys.example.com/");
        assert_eq!(checked("http://127.0.0.1:8080", false).unwrap().as_str(), "http://127.0.0.1:8080/");
        assert!(checked("http://[::1]:8080/kw", false).unwrap().as_str().ends_with("/kw/"));
        assert!(checked("http://localhost:1", false).is_ok());
        let refused = checked("http://keys.example.com", false);
        assert!(matches!(refused, Err(Error::Team(TeamProblem::Insecure { .. }))), "{refused:?}");
        assert!(checked("http://keys.example.com", true).is_ok());
        for bad in ["keys.example.com", "ftp://x.example", "https://u:p@x.example", "https://x.example/?a=1", ""] {
            assert!(matches!(checked(bad, true), Err(Error::Team(TeamProblem::ServerUrl { .. }))), "{bad}");
        }
    }
}
