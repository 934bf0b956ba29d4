//! Hash maps and sets with FxHash: the keys are atoms, spans and short names
//! from one file, where SipHash's protection against crafted keys costs time
//! and buys nothing (swc uses the same hasher).

pub type HashMap<K, V> = rustc_hash::FxHashMap<K, V>;
pub type HashSet<T> = rustc_hash::FxHashSet<T>;

use std::cmp::Ordering;

/// Sorts `items` by `compare`, stably (equal items keep their order), like
/// the standard `sort_by`. Each call site of the standard sort instantiates
/// its own copy of the algorithm, 2-4 KB of wasm each (a `BTreeMap` built by
/// `collect` sorts too); this one sorts an index permutation with one shared
/// copy and then moves the items into place.
pub fn sort_by<T>(items: &mut [T], compare: impl Fn(&T, &T) -> Ordering) {
    let mut order: Vec<usize> = (0..items.len()).collect();
    sort_indices(&mut order, &|a, b| compare(&items[a], &items[b]));
    // In place: position i receives the item that was at order[i]; earlier
    // swaps moved it along the chain order[order[…]] until past i.
    for i in 0..order.len() {
        let mut from = order[i];
        while from < i {
            from = order[from];
        }
        items.swap(i, from);
    }
}

#[inline(never)]
fn sort_indices(order: &mut [usize], compare: &dyn Fn(usize, usize) -> Ordering) {
    order.sort_unstable_by(|a, b| compare(*a, *b).then(a.cmp(b)));
}

/// A fixed list of words that the walk asks about often (method names,
/// directory names): a string whose length or first byte no word has is
/// ruled out at once, before any word is compared. Most strings asked about
/// are not in the list, and `<[&str]>::contains` compares the length of
/// every word, then the bytes of those of the same length.
pub struct Words {
    words: &'static [&'static str],
    /// Bit `n`: a word of `n` bytes (63: of 63 or more).
    lengths: u64,
    /// Bit `b`: a word starts with the byte `b`.
    firsts: [u64; 4],
}

impl Words {
    pub const fn new(words: &'static [&'static str]) -> Words {
        let (mut lengths, mut firsts) = (0u64, [0u64; 4]);
        let mut i = 0;
        while i < words.len() {
            let bytes = words[i].as_bytes();
            lengths |= 1 << length_bit(bytes.len());
            if let Some(&first) = bytes.first() {
                firsts[(first >> 6) as usize] |= 1 << (first & 63);
            }
            i += 1;
        }
        Words {
            words,
            lengths,
            firsts,
        }
    }

    /// Whether `word` is one of the words.
    #[inline]
    pub fn contains(&self, word: &str) -> bool {
        let bytes = word.as_bytes();
        if self.lengths >> length_bit(bytes.len()) & 1 == 0 {
            return false;
        }
        if let Some(&first) = bytes.first() {
            if self.firsts[usize::from(first >> 6)] >> (first & 63) & 1 == 0 {
                return false;
            }
        }
        self.words.contains(&word)
    }
}

const fn length_bit(len: usize) -> usize {
    if len < 63 {
        len
    } else {
        63
    }
}

#[cfg(test)]
mod tests {
    use super::{sort_by, Words};

    #[test]
    fn words_are_found_and_others_not() {
        const LONG: &str = "a_name_of_more_than_sixty_three_bytes_to_share_the_last_length_bit";
        static WORDS: Words = Words::new(&["get", "post", "put", "", "éa", LONG]);
        for w in ["get", "post", "put", "", "éa", LONG] {
            assert!(WORDS.contains(w), "{w:?}");
        }
        // Same length or first byte as a word, or neither; longer than 63.
        for w in [
            "got",
            "pit",
            "gets",
            "g",
            "x",
            "éb",
            "ëa",
            &LONG[1..],
            &format!("{LONG}s"),
        ] {
            assert!(!WORDS.contains(w), "{w:?}");
        }
        static NONE: Words = Words::new(&[]);
        assert!(!NONE.contains("") && !NONE.contains("a"));
    }

    #[test]
    fn sort_by_matches_the_standard_sort() {
        let mut seed = 7u64;
        for len in [0, 1, 2, 3, 10, 57, 300] {
            let items: Vec<(u8, usize)> = (0..len)
                .map(|i| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ((seed >> 60) as u8, i)
                })
                .collect();
            let mut ours = items.clone();
            sort_by(&mut ours, |a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            let mut std = items.clone();
            std.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            assert_eq!(ours, std, "len {len}");
            // Stable: items with equal keys keep their order.
            let mut ours = items.clone();
            sort_by(&mut ours, |a, b| b.0.cmp(&a.0));
            let mut std = items;
            std.sort_by_key(|b| std::cmp::Reverse(b.0));
            assert_eq!(ours, std, "len {len}, by key only");
        }
    }
}
