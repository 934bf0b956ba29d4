//! Decimal text to `f64`, correctly rounded (half to even), accepting what
//! `str::parse::<f64>` accepts and giving the same value.
//!
//! core's parser (Eisel-Lemire) carries a 10,416-byte table of 128-bit powers
//! of five that gzip cannot shrink: 10 KB of the wasm. This one takes the
//! exact fast path when the digits fit 2^53 and the power of ten is at most
//! 10^22 (every literal in real code), and otherwise computes with big
//! integers: slower, but only for long or extreme literals.

/// Parses `text` as `str::parse::<f64>` does: an optional sign, then `inf`,
/// `infinity` or `nan` (any case), or digits with an optional `.` and an
/// optional exponent (`e` or `E`, optional sign, digits). `None` where
/// core returns an error.
pub fn parse_f64(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    let (negative, rest) = match bytes.first() {
        Some(b'-') => (true, &bytes[1..]),
        Some(b'+') => (false, &bytes[1..]),
        _ => (false, bytes),
    };
    let magnitude = if rest.eq_ignore_ascii_case(b"inf") || rest.eq_ignore_ascii_case(b"infinity") {
        f64::INFINITY
    } else if rest.eq_ignore_ascii_case(b"nan") {
        f64::NAN
    } else {
        decimal(rest)?
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// Digits with an optional point and exponent, unsigned.
fn decimal(bytes: &[u8]) -> Option<f64> {
    let mut digits: Vec<u8> = Vec::new();
    let mut exponent: i64 = 0;
    let mut seen_digit = false;
    let mut at = 0;
    while at < bytes.len() && bytes[at].is_ascii_digit() {
        push_digit(&mut digits, bytes[at]);
        seen_digit = true;
        at += 1;
    }
    if at < bytes.len() && bytes[at] == b'.' {
        at += 1;
        while at < bytes.len() && bytes[at].is_ascii_digit() {
            push_digit(&mut digits, bytes[at]);
            exponent -= 1;
            seen_digit = true;
            at += 1;
        }
    }
    if !seen_digit {
        return None;
    }
    if at < bytes.len() && (bytes[at] == b'e' || bytes[at] == b'E') {
        at += 1;
        let negative = match bytes.get(at) {
            Some(b'-') => {
                at += 1;
                true
            }
            Some(b'+') => {
                at += 1;
                false
            }
            _ => false,
        };
        let start = at;
        let mut value: i64 = 0;
        while at < bytes.len() && bytes[at].is_ascii_digit() {
            value = (value * 10 + i64::from(bytes[at] - b'0')).min(1 << 40);
            at += 1;
        }
        if at == start {
            return None;
        }
        exponent += if negative { -value } else { value };
    }
    if at != bytes.len() {
        return None;
    }
    // Trailing zeros of the digits move into the exponent.
    while digits.last() == Some(&0) {
        digits.pop();
        exponent += 1;
    }
    Some(value_of(&digits, exponent))
}

/// Appends a digit, skipping leading zeros (a zero before any other digit).
fn push_digit(digits: &mut Vec<u8>, byte: u8) {
    if byte != b'0' || !digits.is_empty() {
        digits.push(byte - b'0');
    }
}

/// The f64 nearest to `digits` × 10^`exponent` (digits without leading or
/// trailing zeros).
fn value_of(digits: &[u8], exponent: i64) -> f64 {
    if digits.is_empty() {
        return 0.0;
    }
    let magnitude = digits.len() as i64 + exponent; // value < 10^magnitude
    if magnitude > 310 {
        return f64::INFINITY;
    }
    if magnitude < -330 {
        return 0.0;
    }
    // Exact fast path: the digits and the power of ten are exact f64s, so
    // one multiplication or division rounds once, correctly.
    if digits.len() <= 15 && (-22..=22).contains(&exponent) {
        let mut w = 0u64;
        for &d in digits {
            w = w * 10 + u64::from(d);
        }
        const POWERS: [f64; 23] = [
            1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
            1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
        ];
        let p = POWERS[exponent.unsigned_abs() as usize];
        return if exponent >= 0 {
            w as f64 * p
        } else {
            w as f64 / p
        };
    }
    let mut n = Big::from_digits(digits);
    if exponent >= 0 {
        n.mul_pow10(exponent as u32);
        let (top, e2, sticky) = n.top64();
        return round(top, e2, sticky);
    }
    // n / 10^-exponent, scaled by a power of two: a quotient of 65 or 66
    // bits and whether a remainder is left.
    let mut m = Big::from_digits(&[1]);
    m.mul_pow10(exponent.unsigned_abs() as u32);
    // Bit lengths 65 apart: the quotient is in [2^64, 2^66).
    let gap = n.bits() as i64 - m.bits() as i64 - 65;
    if gap < 0 {
        n.shl(gap.unsigned_abs() as u32);
    } else {
        m.shl(gap as u32);
    }
    let mut quotient: u128 = 0;
    for bit in (0..=67).rev() {
        let mut shifted = m.clone();
        shifted.shl(bit);
        if n.cmp(&shifted) != std::cmp::Ordering::Less {
            n.sub(&shifted);
            quotient |= 1 << bit;
        }
    }
    let sticky = !n.is_zero();
    let bits = 128 - quotient.leading_zeros();
    let drop = bits.saturating_sub(64);
    let top = (quotient >> drop) as u64;
    let lost = quotient & ((1u128 << drop) - 1) != 0;
    round(top, drop as i64 + gap, sticky || lost)
}

/// The f64 nearest to (`top` + a fraction below 1 if `sticky`) × 2^`e2`,
/// `top` having its highest bit set; halves round to even.
fn round(top: u64, e2: i64, sticky: bool) -> f64 {
    // The value's binary exponent: top is in [2^63, 2^64).
    let exponent = e2 + 63;
    if exponent > 1023 {
        return f64::INFINITY;
    }
    // Bits of `top` kept: 53 for a normal number, fewer for a subnormal.
    let keep = if exponent >= -1022 {
        53
    } else {
        53 - (-1022 - exponent)
    };
    if keep < 0 {
        return 0.0;
    }
    let drop = (64 - keep) as u32; // 11 ..= 64
    let mantissa = if drop >= 64 { 0 } else { top >> drop };
    let rest = if drop >= 64 {
        top
    } else {
        top & ((1u64 << drop) - 1)
    };
    let half = 1u64 << (drop - 1);
    let up = rest > half || (rest == half && (sticky || mantissa & 1 == 1));
    let mut mantissa = mantissa + u64::from(up);
    let mut exponent = exponent;
    if keep == 53 && mantissa == 1 << 53 {
        mantissa >>= 1;
        exponent += 1;
        if exponent > 1023 {
            return f64::INFINITY;
        }
    }
    if mantissa >= 1 << 52 {
        // Normal (a subnormal that rounded up to 2^52 lands here too).
        let exponent = if keep == 53 { exponent } else { -1022 };
        f64::from_bits(((exponent + 1023) as u64) << 52 | (mantissa & ((1 << 52) - 1)))
    } else {
        f64::from_bits(mantissa)
    }
}

/// An unsigned big integer, 32-bit limbs, least significant first.
#[derive(Clone)]
struct Big(Vec<u32>);

impl Big {
    fn from_digits(digits: &[u8]) -> Big {
        let mut n = Big(Vec::new());
        for &d in digits {
            n.mul_add(10, u32::from(d));
        }
        n
    }

    fn mul_add(&mut self, factor: u32, add: u32) {
        let mut carry = u64::from(add);
        for limb in &mut self.0 {
            let v = u64::from(*limb) * u64::from(factor) + carry;
            *limb = v as u32;
            carry = v >> 32;
        }
        if carry > 0 {
            self.0.push(carry as u32);
        }
    }

    fn mul_pow10(&mut self, mut exponent: u32) {
        while exponent >= 9 {
            self.mul_add(1_000_000_000, 0);
            exponent -= 9;
        }
        if exponent > 0 {
            self.mul_add(10u32.pow(exponent), 0);
        }
    }

    fn bits(&self) -> u32 {
        match self.0.last() {
            Some(&top) => 32 * self.0.len() as u32 - top.leading_zeros(),
            None => 0,
        }
    }

    fn is_zero(&self) -> bool {
        self.0.iter().all(|&l| l == 0)
    }

    fn bit(&self, i: u32) -> bool {
        self.0
            .get((i / 32) as usize)
            .is_some_and(|l| l >> (i % 32) & 1 == 1)
    }

    /// The highest 64 bits, the exponent of the lowest of them and whether
    /// any bit below them is set.
    fn top64(&self) -> (u64, i64, bool) {
        let bits = self.bits();
        let mut top = 0u64;
        for i in 0..64 {
            let at = bits as i64 - 1 - i;
            top = top << 1 | u64::from(at >= 0 && self.bit(at as u32));
        }
        let low = bits as i64 - 64;
        let sticky = (0..low.max(0) as u32).any(|i| self.bit(i));
        (top, low, sticky)
    }

    fn shl(&mut self, shift: u32) {
        let (words, bits) = ((shift / 32) as usize, shift % 32);
        if bits > 0 {
            let mut carry = 0;
            for limb in &mut self.0 {
                let v = *limb;
                *limb = v << bits | carry;
                carry = v >> (32 - bits);
            }
            if carry > 0 {
                self.0.push(carry);
            }
        }
        self.0.splice(0..0, std::iter::repeat_n(0, words));
    }

    fn trimmed(&self) -> &[u32] {
        let len = self.0.iter().rposition(|&l| l != 0).map_or(0, |i| i + 1);
        &self.0[..len]
    }

    fn cmp(&self, other: &Big) -> std::cmp::Ordering {
        let (a, b) = (self.trimmed(), other.trimmed());
        a.len()
            .cmp(&b.len())
            .then_with(|| a.iter().rev().cmp(b.iter().rev()))
    }

    /// self -= other (other <= self).
    fn sub(&mut self, other: &Big) {
        let mut borrow = 0i64;
        for (i, limb) in self.0.iter_mut().enumerate() {
            let v = i64::from(*limb) - i64::from(other.0.get(i).copied().unwrap_or(0)) - borrow;
            *limb = v.rem_euclid(1 << 32) as u32;
            borrow = i64::from(v < 0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_f64;

    fn same(text: &str) {
        let want = text.parse::<f64>().ok();
        let got = parse_f64(text);
        match (want, got) {
            (Some(w), Some(g)) => {
                assert!(
                    w.to_bits() == g.to_bits() || (w.is_nan() && g.is_nan()),
                    "{text}: {w:e} vs {g:e}"
                )
            }
            (None, None) => {}
            _ => panic!("{text}: {want:?} vs {got:?}"),
        }
    }

    #[test]
    fn edges() {
        for t in [
            "0", "-0", "+0", "0.0", "00.000e5", "1", "1.", ".5", ".", "", "e5", "1e", "1e+", "1e-",
            "1e5", "1E-5", "+1.5e+3", "-2.5", "inf", "-Infinity", "NaN", "nan", "infx", "1_0", " 1",
            "1 ", "0x10", "9007199254740992", "9007199254740993", "9007199254740995",
            "2.2250738585072011e-308", "2.2250738585072012e-308", "2.2250738585072014e-308",
            "4.9406564584124654e-324", "2.4703282292062327e-324", "2.4703282292062328e-324",
            "2.4703282292062327208828439643411068618252990130716238221279284125033775363510437593264991818081799618989828234772285886546332835517796989819938739800539093906315035659515570226392290858392449105184435931802849936536152500319370457678249219365623669863658480757001585769269903706311928279558551332927834338409351978015531246597263579574622766465272827220056374006485499977096599470454020828166226237857393450736339007967761930577506740176324673600968951340535537458516661134223766678604162159680461914467291840300530057530849048765391711386591646239524912623653881879636239373280423891018672348497668235089863388587925628302755995657524455507255189313690836254779186948667994968324049705821028513185451396213837722826145437693412532098591327667236328125e-324",
            "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308", "1e308",
            "1e309", "1e-400", "1e99999999999999999999", "1e-99999999999999999999",
            "0.1", "0.2", "0.3", "123456789012345678901234567890", "1e22", "1e23", "8.98846567431158e307",
        ] {
            same(t);
        }
    }

    #[test]
    fn random_texts() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for i in 0..60_000 {
            let len = if i % 100 == 0 {
                20 + next() % 60
            } else {
                1 + next() % 20
            };
            let mut text: String = (0..len)
                .map(|_| char::from(b'0' + (next() % 10) as u8))
                .collect();
            if next() % 2 == 0 {
                let at = (next() % (len + 1)) as usize;
                text.insert(at, '.');
            }
            if next() % 2 == 0 {
                let e = (next() % 700) as i64 - 350;
                text.push_str(&format!("e{e}"));
            }
            same(&text);
        }
        // Any f64 written out and read back, with its neighbours' midpoints.
        for _ in 0..20_000 {
            let v = f64::from_bits(next() & !(1 << 63));
            if v.is_finite() {
                same(&format!("{v:e}"));
                same(&format!("{v:.20e}"));
            }
        }
    }
}
