//! Where a release runs. (The express branch adds only [`ecs_express`]; the
//! architecture work moves the ECS rolling and local platforms here.)

pub mod ecs_express;
