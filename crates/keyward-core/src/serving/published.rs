//! A value read on every request and replaced seldom: the gateway's key index, its per-key
//! limiters. Each thread keeps an `Arc` of the version it last read and checks one counter per
//! read; replacing the value bumps the counter.
//!
//! Why not a `RwLock` read per request: taking and releasing a read lock writes the lock's word,
//! and with both runtime workers doing it for every request that word's cache line moved
//! between the cores twice a request. Reading the counter writes nothing shared.

use std::any::Any;
use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

pub struct Published<T> {
    current: RwLock<Arc<T>>,
    /// Bumped after each new value is in place.
    version: AtomicU64,
    /// Tells this value's [`SEEN`] entries from another's (a process may hold several).
    id: u64,
}

/// A thread's copy of one [`Published`] value, and the version it was when taken.
struct Seen {
    id: u64,
    version: u64,
    value: Arc<dyn Any + Send + Sync>,
}

/// Entries a thread keeps: a gateway reads two values; tests open many gateways in turn.
const SEEN_PER_THREAD: usize = 8;

thread_local! {
    static SEEN: RefCell<Vec<Seen>> = const { RefCell::new(Vec::new()) };
}

impl<T: Send + Sync + 'static> Published<T> {
    pub fn new(value: T) -> Published<T> {
        static NEXT_ID: AtomicU64 = AtomicU64::new(0);
        Published {
            current: RwLock::new(Arc::new(value)),
            version: AtomicU64::new(0),
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// Runs `f` on the current value: this thread's copy while the version is unchanged.
    pub fn read<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        // Acquire: a version read as bumped comes with the value put in before the bump.
        let version = self.version.load(Ordering::Acquire);
        SEEN.with(|seen| match seen.try_borrow_mut() {
            Ok(mut seen) => {
                let at = self.find_or_take(&mut seen, version);
                f(seen[at].value.downcast_ref::<T>().expect("one id, one value type"))
            }
            // A read inside another's `f` on this thread: straight from the lock.
            Err(_) => f(&self.latest()),
        })
    }

    fn find_or_take(&self, seen: &mut Vec<Seen>, version: u64) -> usize {
        let found = seen.iter().position(|s| s.id == self.id);
        if let Some(at) = found.filter(|&at| seen[at].version == version) {
            return at;
        }
        let fresh = Seen { id: self.id, version, value: self.latest() };
        match found {
            Some(at) => {
                seen[at] = fresh;
                at
            }
            None => {
                if seen.len() == SEEN_PER_THREAD {
                    seen.remove(0);
                }
                seen.push(fresh);
                seen.len() - 1
            }
        }
    }

    /// The current value, taken under the lock.
    pub fn latest(&self) -> Arc<T> {
        Arc::clone(&self.current.read().expect("published value lock"))
    }

    pub fn publish(&self, value: T) {
        self.update(|_| Some(value));
    }

    /// Replaces the value with what `change` makes of the current one (`None`: keep it), with
    /// no other change in between; returns the value as it stands after.
    pub fn update(&self, change: impl FnOnce(&T) -> Option<T>) -> Arc<T> {
        let mut current = self.current.write().expect("published value lock");
        if let Some(next) = change(&current) {
            *current = Arc::new(next);
            self.version.fetch_add(1, Ordering::Release);
        }
        Arc::clone(&current)
    }
}

impl<T: Default + Send + Sync + 'static> Default for Published<T> {
    fn default() -> Published<T> {
        Published::new(T::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_thread_reads_the_latest_value_and_values_are_told_apart() {
        let (a, b) = (Published::new(1), Published::new("one"));
        assert_eq!((a.read(|v| *v), b.read(|v| *v)), (1, "one"));
        a.publish(2);
        assert_eq!(a.read(|v| *v), 2, "a bumped version is seen at the next read");
        assert_eq!(b.read(|v| *v), "one");
        std::thread::scope(|s| {
            s.spawn(|| assert_eq!(a.read(|v| *v), 2));
        });
        let after = a.update(|v| (*v < 10).then_some(v + 1));
        assert_eq!((*after, a.read(|v| *v)), (3, 3));
        assert_eq!(*a.update(|_| None), 3, "no change keeps the value");
        assert_eq!(a.read(|outer| b.read(|inner| (*outer, *inner))), (3, "one"), "a read inside a read");
    }

    #[test]
    fn a_thread_keeps_a_bounded_number_of_copies() {
        let values: Vec<Published<usize>> = (0..SEEN_PER_THREAD * 2).map(Published::new).collect();
        for (i, value) in values.iter().enumerate() {
            assert_eq!(value.read(|v| *v), i);
        }
        assert_eq!(SEEN.with_borrow(Vec::len), SEEN_PER_THREAD);
        assert_eq!(values[0].read(|v| *v), 0, "an evicted copy is taken again");
    }
}
