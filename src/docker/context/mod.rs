//! The build context: which files `mcp build` sends to the Docker engine, and
//! how they get there.
//!
//! # Why this module exists
//!
//! `POST /build` takes the whole build context as one tar archive in the request
//! body; the engine never looks at the caller's disk. `mcp build` therefore has
//! to turn the `build.context` directory into a tar, and it has to do so the way
//! `docker build` does, or an image built by `mcp` differs from the one the user
//! gets by hand: a `.env` that `.dockerignore` keeps out must stay out, and a
//! file that a `!` line takes back in must be there.
//!
//! Two constraints shape the code:
//!
//! * **Memory stays flat.** A context can be gigabytes (a model, a vendored
//!   tree). [`write_tar`] walks the tree one directory listing at a time and
//!   copies each file straight into the tar writer; [`stream`] runs it on a
//!   blocking thread that feeds 64 KiB chunks through a bounded channel, so at
//!   most a few chunks are in memory while the engine reads the body.
//! * **`.dockerignore` means what Docker says it means.** No crate implements
//!   Docker's rules faithfully: the `ignore` crate follows `.gitignore`, where a
//!   pattern without a slash matches at any depth (Docker anchors every pattern
//!   at the context root, so `*.log` leaves `src/debug.log` in) and where a
//!   file inside an excluded directory cannot be taken back. So [`ignore`] is a
//!   port, not a re-imagining, of moby's `patternmatcher` and the walk in
//!   `archive.TarWithOptions`; the regular expressions moby builds from the
//!   patterns run on `regex-lite` after the small rewrite in [`go_regex`].
//!
//! # The rooms
//!
//! * [`ignore`]: reading `.dockerignore` and deciding, per path, whether a
//!   pattern keeps it out (moby `ignorefile` and `patternmatcher`).
//! * [`go_regex`]: the Go regexp syntax moby's translation produces, rewritten
//!   where regex-lite reads it differently.
//! * [`walk`]: the walk over the context directory and the tar it writes.
//! * [`stream`](mod@stream): the tar as a bounded stream of chunks for bollard.
//! * [`Context`] (here): the context as a whole, for questions asked before
//!   any tar exists: is this path sent, would a `.env` be shipped.
//!
//! `tests/fixtures/dockerignore` holds a tree whose `.dockerignore` exercises
//! these rules, and `expected.txt`, the paths a real `docker build` (classic
//! builder, docker CLI 28.2 against dockerd 20.10) put into the image; a test
//! in [`walk`] checks this module produces exactly that.
//!
//! # Handing the body to bollard
//!
//! bollard 0.21's `Docker::build_image(options, credentials, Option<BodyType>)`
//! takes an `http_body_util::Either<Full<Bytes>, StreamBody<..>>`; the stream
//! from [`stream()`] fits `bollard::body_try_stream(body)`, which wraps a
//! `Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static`. An `Err`
//! item aborts the upload, so a context that fails half-way is never built.

pub mod go_regex;
pub mod ignore;
pub mod stream;
pub mod walk;

pub use ignore::DockerIgnore;
pub use stream::{CHUNK_SIZE, stream};
pub use walk::{ContextStats, write_tar};

/// The ignore file's name, at the root of the context.
pub const DOCKERIGNORE: &str = ".dockerignore";
