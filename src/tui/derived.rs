//! Derived views: the indices of the rows a filter lets through, kept until the rows or the
//! filter change, so neither a frame nor a keypress that changes neither pays for the filtering
//! again (a cohort has up to 20,000 rows, each lower-cased to match a search).

/// Row indices passing a filter. The owner (a pane's state) calls [`Filtered::set_filter`] and
/// [`Filtered::recompute`] from the only places its rows or its filter change; everything else
/// reads [`Filtered::indices`].
#[derive(Debug, Clone)]
pub struct Filtered<F> {
    filter: F,
    indices: Vec<usize>,
    recomputations: u64,
}

impl<F: PartialEq> Filtered<F> {
    /// No rows yet, this filter in force.
    pub fn new(filter: F) -> Filtered<F> {
        Filtered {
            filter,
            indices: Vec::new(),
            recomputations: 0,
        }
    }

    pub fn filter(&self) -> &F {
        &self.filter
    }

    /// Puts `filter` in force; `true` when it differs from the one before, so the rows must be
    /// recomputed.
    pub fn set_filter(&mut self, filter: F) -> bool {
        if self.filter == filter {
            return false;
        }
        self.filter = filter;
        true
    }

    /// Filters `rows` again (they changed, or the filter did).
    pub fn recompute<T>(&mut self, rows: &[T], keep: impl Fn(&F, &T) -> bool) {
        self.indices.clear();
        self.indices.extend(
            rows.iter()
                .enumerate()
                .filter(|(_, row)| keep(&self.filter, row))
                .map(|(i, _)| i),
        );
        self.recomputations += 1;
    }

    /// Indices into the rows last given to [`Filtered::recompute`], in their order.
    pub fn indices(&self) -> &[usize] {
        &self.indices
    }

    pub fn len(&self) -> usize {
        self.indices.len()
    }

    pub fn is_empty(&self) -> bool {
        self.indices.is_empty()
    }

    /// How often the rows were filtered: what the cache tests watch.
    pub fn recomputations(&self) -> u64 {
        self.recomputations
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_filter_keeps_the_rows_and_another_recomputes_them() {
        let rows = ["alpha", "beta", "gamma", "alphabet"];
        let mut view = Filtered::new(String::new());
        view.recompute(&rows, |needle, row| row.contains(needle.as_str()));
        assert_eq!(view.indices(), [0, 1, 2, 3]);
        assert!(
            !view.set_filter(String::new()),
            "same filter: nothing to do"
        );
        assert!(view.set_filter("alpha".into()));
        view.recompute(&rows, |needle, row| row.contains(needle.as_str()));
        assert_eq!(view.indices(), [0, 3]);
        assert_eq!(view.recomputations(), 2);
        let fewer = ["alpha"];
        view.recompute(&fewer, |needle, row| row.contains(needle.as_str()));
        assert_eq!(view.indices(), [0], "new rows, same filter");
    }
}
