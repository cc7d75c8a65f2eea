use keyward_core::error::Invalid;
use keyward_core::{Error, UsageLimits};

use crate::{on_both_backends, Backend, Fixture};

async fn each_limit_out_of_range_is_refused_by_name_and_nothing_changes(backend: Backend) {
    let f = Fixture::new(backend).await;
    let before = f.keyward.usage_limits("acme").await.unwrap();
    let cases = [
        ("burst_limit", UsageLimits { burst_limit: 0, ..before }),
        ("burst_seconds", UsageLimits { burst_seconds: 0, ..before }),
        ("burst_seconds", UsageLimits { burst_seconds: 86_401, ..before }),
        ("daily_limit", UsageLimits { daily_limit: 0, ..before }),
    ];
    for (named, limits) in cases {
        let err = f.keyward.set_usage_limits(&f.admin, "acme", limits, f.t0).await.unwrap_err();
        assert!(
            matches!(&err, Error::InvalidInput(Invalid::OutOfRange { field, .. }) if field == named),
            "{limits:?}: {err:?}"
        );
    }
    assert_eq!(f.keyward.usage_limits("acme").await.unwrap(), before);
    assert_eq!(f.count("SELECT COUNT(*) FROM audit_log WHERE event = 'limits_changed'").await, 0);

    let set = UsageLimits { burst_limit: 1, burst_seconds: 1, daily_limit: 1 };
    assert_eq!(f.keyward.set_usage_limits(&f.admin, " acme ", set, f.t0).await.unwrap(), set, "name trimmed");
}

#[test]
fn a_burst_is_requests_over_seconds() {
    assert_eq!(UsageLimits::parse_burst(" 100 / 10 ").unwrap(), (100, 10));
    for bad in ["100", "a/10", "100/", "-1/10"] {
        assert!(matches!(UsageLimits::parse_burst(bad), Err(Error::InvalidInput(Invalid::BurstLimit { .. }))), "{bad}");
    }
}

on_both_backends!(each_limit_out_of_range_is_refused_by_name_and_nothing_changes);
