//! recond: the imperative shell (config, CLI, storage, pipeline).
