//! Policy simulation (stub, filled in below).
