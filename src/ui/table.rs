//! Fixed-width tables for people (`mcp history`, `mcp status --all`, the
//! summary of `mcp deploy --all`, `mcp secrets list`).
//!
//! Each column has a minimum width, so short tables keep the look they have
//! always had, and grows to its longest cell, so a long image tag or service
//! name pushes the next columns right instead of running into them. The last
//! column is never padded (no trailing blanks), and a row with fewer cells
//! than columns ends in a free-running cell (an error message) that does not
//! widen the column it starts in. Widths are measured as a terminal shows
//! them (`console::measure_text_width`: colour codes take no room). Written by
//! hand: the twenty lines below do not justify a table crate and its own
//! defaults for borders and wrapping.

use std::fmt;

/// A table: headers, a minimum width per column, rows of text.
#[derive(Debug, Clone)]
pub struct Table {
    headers: Vec<String>,
    min_widths: Vec<usize>,
    rows: Vec<Vec<String>>,
    gap: usize,
}

impl Table {
    /// Columns as `(header, minimum width)`, separated by one space.
    pub fn new<const N: usize>(columns: [(&str, usize); N]) -> Self {
        Table {
            headers: columns.iter().map(|(h, _)| h.to_string()).collect(),
            min_widths: columns.iter().map(|(_, w)| *w).collect(),
            rows: Vec::new(),
            gap: 1,
        }
    }

    /// Separate columns by `gap` spaces.
    pub fn gap(mut self, gap: usize) -> Self {
        self.gap = gap;
        self
    }

    /// Add a row. Fewer cells than columns: the last one runs free.
    pub fn row<I>(&mut self, cells: I)
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.rows.push(cells.into_iter().map(Into::into).collect());
    }

    fn widths(&self) -> Vec<usize> {
        let mut widths: Vec<usize> = self
            .headers
            .iter()
            .zip(&self.min_widths)
            .map(|(h, min)| width(h).max(*min))
            .collect();
        for row in &self.rows {
            let counted = if row.len() < widths.len() {
                row.len().saturating_sub(1)
            } else {
                row.len()
            };
            for (i, cell) in row.iter().take(counted).enumerate() {
                if let Some(w) = widths.get_mut(i) {
                    *w = (*w).max(width(cell));
                }
            }
        }
        widths
    }

    fn write_row(
        &self,
        f: &mut fmt::Formatter<'_>,
        cells: &[String],
        widths: &[usize],
    ) -> fmt::Result {
        let gap = " ".repeat(self.gap);
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                f.write_str(&gap)?;
            }
            f.write_str(cell)?;
            if i + 1 < cells.len() {
                let pad = widths
                    .get(i)
                    .copied()
                    .unwrap_or(0)
                    .saturating_sub(width(cell));
                write!(f, "{:pad$}", "")?;
            }
        }
        writeln!(f)
    }
}

fn width(text: &str) -> usize {
    console::measure_text_width(text)
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let widths = self.widths();
        self.write_row(f, &self.headers, &widths)?;
        for row in &self.rows {
            self.write_row(f, row, &widths)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_cells_keep_the_minimum_widths() {
        let mut table = Table::new([("", 4), ("REVISION", 10), ("TAG", 6), ("BY", 0)]);
        table.row(["live", "7", "abc", "ci"]);
        assert_eq!(
            table.to_string(),
            "     REVISION   TAG    BY\nlive 7          abc    ci\n"
        );
    }

    /// Guards the reason this helper exists: a long tag used to run into the
    /// next column and shift everything after it on that row only.
    #[test]
    fn a_long_cell_widens_its_column_for_every_row() {
        let mut table = Table::new([("TAG", 4), ("BY", 0)]);
        table.row(["v1", "ci"]);
        table.row(["a-very-long-tag", "me"]);
        let text = table.to_string();
        let columns: Vec<usize> = text.lines().map(|l| l.rfind(' ').unwrap()).collect();
        assert!(columns.windows(2).all(|w| w[0] == w[1]), "{text}");
        assert!(text.lines().all(|l| !l.ends_with(' ')));
    }

    #[test]
    fn a_short_row_runs_free_without_widening() {
        let mut table = Table::new([("SERVICE", 7), ("REVISION", 8), ("TASKS", 0)]).gap(2);
        table.row(["api", "error: the cluster does not exist"]);
        table.row(["web", "svc:3", "1/1"]);
        assert_eq!(
            table.to_string(),
            "SERVICE  REVISION  TASKS\napi      error: the cluster does not exist\nweb      svc:3     1/1\n"
        );
    }
}
