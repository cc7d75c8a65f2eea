//! Comparisons by pairs: each line's (baseline, subject) runs, back to back, and their ratios.

use std::net::SocketAddr;

use crate::wrk::{wrk, Load};

/// A subject against the baseline: every pair's (baseline, subject), sorted by their ratio.
pub struct Compared {
    pub pairs: Vec<(Load, Load)>,
}

fn median_of(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

impl Compared {
    pub fn ratio(pair: &(Load, Load)) -> f64 {
        pair.1.rps / pair.0.rps
    }

    /// The pair with the median ratio.
    pub fn median_pair(&self) -> &(Load, Load) {
        &self.pairs[self.pairs.len() / 2]
    }

    /// Subject / baseline requests/s, the median over the pairs.
    pub fn median(&self) -> f64 {
        Compared::ratio(self.median_pair())
    }

    /// The middle half of the ratios, as percentages: how much the pairs disagreed.
    pub fn spread(&self) -> String {
        let n = self.pairs.len();
        let pct = |i: usize| Compared::ratio(&self.pairs[i]) * 100.0;
        format!("{:.1}-{:.1}", pct(n / 4), pct(n - 1 - n / 4))
    }

    /// Server CPU µs per request, (baseline, subject), medians over all pairs.
    pub fn cpu(&self) -> (f64, f64) {
        (
            median_of(self.pairs.iter().map(|p| p.0.cpu_us).collect()),
            median_of(self.pairs.iter().map(|p| p.1.cpu_us).collect()),
        )
    }

    /// Every pair's subject p99 minus baseline p99 in ms, with its pair, smallest first.
    pub fn p99_gaps(&self) -> Vec<(f64, &(Load, Load))> {
        let mut gaps: Vec<_> = self.pairs.iter().map(|p| (p.1.p99_ms - p.0.p99_ms, p)).collect();
        gaps.sort_by(|a, b| a.0.total_cmp(&b.0));
        gaps
    }

    /// The median of [`Compared::p99_gaps`].
    pub fn p99_gap(&self) -> f64 {
        let gaps = self.p99_gaps();
        gaps[gaps.len() / 2].0
    }
}

/// How the pairs of one comparison run: at full speed, or paced (connections, ms between).
pub struct Runs {
    pub pairs: usize,
    pub seconds: u32,
    pub paced: Option<(u32, u32)>,
}

/// One comparison's two sides: (address, request body) for the baseline and for the subject.
pub type Sides<'a> = ((SocketAddr, &'a str), (SocketAddr, &'a str));

/// Runs every line's pairs, in rounds of one pair per line; each line's pairs sorted by ratio.
pub fn compare(scripts: &tempfile::TempDir, runs: &Runs, lines: &[Sides<'_>]) -> Vec<Compared> {
    let mut compared: Vec<Compared> = lines.iter().map(|_| Compared { pairs: vec![] }).collect();
    for round in 0..runs.pairs {
        for (((baseline, baseline_body), (subject, subject_body)), line) in lines.iter().zip(&mut compared) {
            let run_baseline = || wrk(scripts, *baseline, baseline_body, runs.paced, runs.seconds);
            let run_subject = || wrk(scripts, *subject, subject_body, runs.paced, runs.seconds);
            let pair = if round % 2 == 0 {
                let b = run_baseline();
                (b, run_subject())
            } else {
                let s = run_subject();
                (run_baseline(), s)
            };
            line.pairs.push(pair);
        }
    }
    for line in &mut compared {
        line.pairs.sort_by(|a, b| Compared::ratio(a).total_cmp(&Compared::ratio(b)));
    }
    compared
}
