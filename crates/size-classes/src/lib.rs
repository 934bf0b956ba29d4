//! A small-object allocator in front of another one (perf-optimizer's wasm
//! allocator). The analyzer builds a syntax tree per file, hundreds of
//! thousands of small boxes and vectors, and frees it before the next file:
//! dlmalloc (Rust's allocator on wasm32) spends about 100 instructions on
//! each of those calls, binning, splitting and coalescing chunks. Here a
//! block of up to [`MAX_SMALL`] bytes comes from a free list per 8-byte size
//! class (a pop; freeing is a push), and a list that is empty is refilled
//! from a [`CHUNK`] taken from the allocator behind. Larger blocks, and
//! blocks aligned to more than 8 bytes, go to the allocator behind.
//!
//! Small blocks are never given back to the allocator behind: the next
//! file's tree reuses them (a wasm memory never shrinks anyway), so the
//! memory held is the peak of each size class.

#![no_std]

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::ptr::{self, null_mut};
use core::sync::atomic::AtomicBool;

/// The size classes' step, and the alignment every small block has.
pub const GRANULE: usize = 8;
/// The largest block served from a size class.
pub const MAX_SMALL: usize = 256;
/// How much a refill takes from the allocator behind at once.
pub const CHUNK: usize = 64 * 1024;

const CLASSES: usize = MAX_SMALL / GRANULE;

struct Lists {
    /// The first free block of each class (each free block holds the next).
    free: [*mut u8; CLASSES],
    /// The unused rest of the last chunk.
    next: *mut u8,
    end: *mut u8,
}

/// The allocator: `SizeClasses::new(System)` as the `#[global_allocator]`.
pub struct SizeClasses<A> {
    behind: A,
    /// Held while the lists change (not on a wasm without threads).
    #[cfg_attr(
        all(target_arch = "wasm32", not(target_feature = "atomics")),
        allow(dead_code)
    )]
    busy: AtomicBool,
    lists: UnsafeCell<Lists>,
}

// The lists are only touched with `busy` held, or on a wasm without threads.
unsafe impl<A: Sync> Sync for SizeClasses<A> {}

impl<A> SizeClasses<A> {
    pub const fn new(behind: A) -> Self {
        SizeClasses {
            behind,
            busy: AtomicBool::new(false),
            lists: UnsafeCell::new(Lists {
                free: [null_mut(); CLASSES],
                next: null_mut(),
                end: null_mut(),
            }),
        }
    }
}

/// The size class of a block, or `None` for the allocator behind.
#[inline(always)]
fn class_of(layout: Layout) -> Option<usize> {
    if layout.size() <= MAX_SMALL && layout.align() <= GRANULE {
        // Size 0 (never asked of a global allocator) shares class 0.
        Some(layout.size().saturating_sub(1) / GRANULE)
    } else {
        None
    }
}

impl<A: GlobalAlloc> SizeClasses<A> {
    /// Runs `f` on the lists. A wasm without the atomics feature has one
    /// thread: no lock to take.
    #[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
    #[inline(always)]
    fn with_lists<R>(&self, f: impl FnOnce(&mut Lists) -> R) -> R {
        // SAFETY: one thread, and `f` does not call back into the allocator.
        f(unsafe { &mut *self.lists.get() })
    }

    /// Runs `f` on the lists, with `busy` held.
    #[cfg(not(all(target_arch = "wasm32", not(target_feature = "atomics"))))]
    #[inline(always)]
    fn with_lists<R>(&self, f: impl FnOnce(&mut Lists) -> R) -> R {
        while self
            .busy
            .compare_exchange_weak(
                false,
                true,
                core::sync::atomic::Ordering::Acquire,
                core::sync::atomic::Ordering::Relaxed,
            )
            .is_err()
        {
            core::hint::spin_loop();
        }
        // SAFETY: `busy` is held, so no other reference to the lists exists.
        let r = f(unsafe { &mut *self.lists.get() });
        self.busy
            .store(false, core::sync::atomic::Ordering::Release);
        r
    }

    /// A block of `class`: popped from its list, else cut from the chunk.
    #[inline(always)]
    unsafe fn take(&self, class: usize) -> *mut u8 {
        self.with_lists(|lists| {
            let head = lists.free[class];
            if !head.is_null() {
                lists.free[class] = unsafe { head.cast::<*mut u8>().read() };
                return head;
            }
            unsafe { self.cut(lists, (class + 1) * GRANULE) }
        })
    }

    /// A new block of `size` from the rest of the chunk, or from a new chunk.
    #[inline(never)]
    unsafe fn cut(&self, lists: &mut Lists, size: usize) -> *mut u8 {
        if (lists.end as usize) - (lists.next as usize) < size {
            // The rest of the old chunk (less than one block) is dropped.
            let chunk = unsafe {
                self.behind
                    .alloc(Layout::from_size_align_unchecked(CHUNK, GRANULE))
            };
            if chunk.is_null() {
                return chunk;
            }
            lists.next = chunk;
            lists.end = unsafe { chunk.add(CHUNK) };
        }
        let block = lists.next;
        lists.next = unsafe { block.add(size) };
        block
    }

    #[inline(always)]
    unsafe fn give_back(&self, ptr: *mut u8, class: usize) {
        self.with_lists(|lists| {
            unsafe { ptr.cast::<*mut u8>().write(lists.free[class]) };
            lists.free[class] = ptr;
        });
    }
}

unsafe impl<A: GlobalAlloc> GlobalAlloc for SizeClasses<A> {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match class_of(layout) {
            Some(class) => unsafe { self.take(class) },
            None => unsafe { self.behind.alloc(layout) },
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        match class_of(layout) {
            Some(class) => {
                let block = unsafe { self.take(class) };
                if !block.is_null() {
                    unsafe { ptr::write_bytes(block, 0, layout.size()) };
                }
                block
            }
            None => unsafe { self.behind.alloc_zeroed(layout) },
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        match class_of(layout) {
            Some(class) => unsafe { self.give_back(ptr, class) },
            None => unsafe { self.behind.dealloc(ptr, layout) },
        }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller guarantees that `new_size` rounded up to the
        // alignment does not overflow.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        match (class_of(layout), class_of(new_layout)) {
            (None, None) => unsafe { self.behind.realloc(ptr, layout, new_size) },
            (Some(old), Some(new)) if old == new => ptr,
            _ => {
                let block = unsafe { self.alloc(new_layout) };
                if !block.is_null() {
                    unsafe {
                        ptr::copy_nonoverlapping(ptr, block, layout.size().min(new_size));
                        self.dealloc(ptr, layout);
                    }
                }
                block
            }
        }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::alloc::System;
    use std::vec::Vec;

    fn layout(size: usize, align: usize) -> Layout {
        Layout::from_size_align(size, align).unwrap()
    }

    #[test]
    fn a_freed_block_is_reused_by_its_class_only() {
        let a = SizeClasses::new(System);
        unsafe {
            let x = a.alloc(layout(24, 8));
            let y = a.alloc(layout(17, 8));
            assert_ne!(x, y);
            a.dealloc(x, layout(24, 8));
            // 9..=16 is another class: not the freed block.
            let z = a.alloc(layout(16, 8));
            assert_ne!(z, x);
            // 17..=24 is its class: the freed block.
            assert_eq!(a.alloc(layout(20, 4)), x);
        }
    }

    #[test]
    fn blocks_do_not_overlap_and_keep_their_bytes() {
        let a = SizeClasses::new(System);
        let mut blocks = Vec::new();
        // More than one chunk of every class.
        for round in 0..3 {
            for size in [1, 7, 8, 9, 100, 255, 256, 257, 4096] {
                for _ in 0..(CHUNK / size.min(MAX_SMALL) + 3) {
                    let l = layout(size, if size % 2 == 0 { 2 } else { 1 });
                    let p = unsafe { a.alloc(l) };
                    assert!(!p.is_null());
                    assert_eq!(p as usize % GRANULE.min(l.align().max(1)), 0);
                    let tag = (blocks.len() % 251) as u8;
                    unsafe { ptr::write_bytes(p, tag, size) };
                    blocks.push((p, l, tag));
                }
            }
            // Free every other block, so the next round reuses them.
            let mut kept = Vec::new();
            for (i, (p, l, tag)) in blocks.drain(..).enumerate() {
                if i % 2 == round % 2 {
                    unsafe { a.dealloc(p, l) };
                } else {
                    kept.push((p, l, tag));
                }
            }
            blocks = kept;
        }
        for &(p, l, tag) in &blocks {
            let bytes = unsafe { core::slice::from_raw_parts(p, l.size()) };
            assert!(bytes.iter().all(|&b| b == tag));
        }
        for (p, l, _) in blocks {
            unsafe { a.dealloc(p, l) };
        }
    }

    #[test]
    fn realloc_keeps_the_contents_across_classes_and_sizes() {
        let a = SizeClasses::new(System);
        unsafe {
            let mut l = layout(3, 1);
            let mut p = a.alloc(l);
            ptr::copy_nonoverlapping(b"abc".as_ptr(), p, 3);
            for size in [5, 8, 40, 256, 300, 5000, 200, 2] {
                p = a.realloc(p, l, size);
                assert!(!p.is_null());
                l = layout(size, 1);
                let n = size.min(3);
                assert_eq!(core::slice::from_raw_parts(p, n), &b"abc"[..n]);
            }
            a.dealloc(p, l);
        }
    }

    #[test]
    fn zeroed_blocks_are_zero_after_reuse() {
        let a = SizeClasses::new(System);
        unsafe {
            let p = a.alloc(layout(64, 8));
            ptr::write_bytes(p, 0xff, 64);
            a.dealloc(p, layout(64, 8));
            let q = a.alloc_zeroed(layout(60, 8));
            assert_eq!(q, p);
            assert!(core::slice::from_raw_parts(q, 60).iter().all(|&b| b == 0));
            a.dealloc(q, layout(60, 8));
        }
    }

    #[test]
    fn over_aligned_and_large_blocks_go_behind() {
        assert_eq!(class_of(layout(16, 16)), None);
        assert_eq!(class_of(layout(MAX_SMALL + 1, 8)), None);
        assert_eq!(class_of(layout(MAX_SMALL, 8)), Some(CLASSES - 1));
        assert_eq!(class_of(layout(8, 8)), Some(0));
        assert_eq!(class_of(layout(9, 1)), Some(1));
    }
}
