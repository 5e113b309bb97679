//! Prints the JSON Schema of policy files (docs/policy.schema.json is this output).
fn main() {
    let schema = sovereign::policy::config::json_schema();
    println!("{}", serde_json::to_string_pretty(&schema).unwrap_or_default());
}
