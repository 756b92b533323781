//! Where a release runs. For now only the progressive ECS platform lives here;
//! issue 10 moves the rolling ECS and local platforms in beside it.

pub mod ecs_progressive;
