// gadget.yaml, both generations (docs/gadget.md), with yaml-cpp:
//   older:   tracers.<name>.{mapName, structName}
//            structs.<struct>.fields[].{name, description, attributes.{width, alignment, hidden, template}}
//            ebpfParams.<var>.{key, defaultValue, description}
//   current: datasources.<name>.fields.<field>.annotations.{description,
//              columns.width, columns.alignment, columns.hidden, template}
//            datasources.<name>.annotations.fetch-interval (map iterators)
//            params.ebpf.<var>.{key, defaultValue, description}
//            params.wasm.<name>.{key, defaultValue, description} (the Wasm layer's)
#include <yaml-cpp/yaml.h>

#include <cstdlib>

#include "ecc/error.h"
#include "ecc/gadget.h"

namespace ecc::gadget {

namespace {

[[noreturn]] void bad(const std::string& where, const std::string& key, const std::string& problem) {
  throw Error(Exit::bad_input, "gadget.yaml: " + key + " " + problem, where);
}

std::string scalar(const YAML::Node& n, const std::string& key, const std::string& where) {
  if (!n || n.IsNull()) return "";
  if (!n.IsScalar()) bad(where, key, "is not a string");
  return n.as<std::string>();
}

// A mapping (or nothing); anything else is an error naming `key`.
YAML::Node mapping(const YAML::Node& n, const std::string& key, const std::string& where) {
  if (!n || n.IsNull()) return YAML::Node(YAML::NodeType::Map);
  if (!n.IsMap()) bad(where, key, "is not a mapping");
  return n;
}

uint32_t number(const std::string& text, const std::string& key, const std::string& where) {
  char* end = nullptr;
  unsigned long v = std::strtoul(text.c_str(), &end, 10);
  if (text.empty() || *end || v > 100000) bad(where, key, "is not a whole number: '" + text + "'");
  return static_cast<uint32_t>(v);
}

// IG's templates, as column attributes (the ones a table here can apply).
void apply_template(const std::string& name, FieldMeta& f) {
  if (name == "pid" || name == "uid" || name == "gid") {
    f.align_right = true;
    f.width = name == "pid" ? 7 : 8;
  } else if (name == "comm" || name == "pcomm") {
    f.width = 16;
  } else if (name == "ns") {
    f.hidden = true;
  } else if (name == "syscall") {
    f.width = 18;
  } else if (name == "errorString") {
    f.width = 12;
  }
}

// One attribute, by the older form's or the current form's key.
void apply_attribute(const std::string& key, const std::string& value, FieldMeta& f, const std::string& at,
                     const std::string& where) {
  if (key == "template") apply_template(value, f);
  else if (key == "width" || key == "columns.width") f.width = number(value, at + "." + key, where);
  else if (key == "hidden" || key == "columns.hidden") f.hidden = value == "true";
  else if (key == "alignment" || key == "columns.alignment") f.align_right = value == "right";
  else if (key == "description") f.description = value;
}

void read_attributes(const YAML::Node& given, FieldMeta& f, const std::string& at, const std::string& where) {
  YAML::Node attrs = mapping(given, at, where);
  // template first, so that explicit attributes win over it.
  if (auto t = attrs["template"]) apply_attribute("template", scalar(t, at + ".template", where), f, at, where);
  for (const auto& kv : attrs) {
    std::string k = kv.first.as<std::string>();
    if (k != "template") apply_attribute(k, scalar(kv.second, at + "." + k, where), f, at, where);
  }
}

void read_older_structs(const YAML::Node& structs, Metadata& m, const std::string& where) {
  for (const auto& s : mapping(structs, "structs", where)) {
    std::string name = s.first.as<std::string>();
    m.structs.push_back(name);
    YAML::Node fields = s.second["fields"];
    if (fields && !fields.IsSequence()) bad(where, "structs." + name + ".fields", "is not a list");
    for (const auto& f : fields) {
      std::string at = "structs." + name + ".fields";
      std::string field = scalar(f["name"], at + "[].name", where);
      if (field.empty()) bad(where, at, "has an entry without a name");
      FieldMeta& meta = m.fields[name][field];
      meta.description = scalar(f["description"], at + "." + field + ".description", where);
      read_attributes(f["attributes"], meta, at + "." + field + ".attributes", where);
    }
  }
}

void read_datasources(const YAML::Node& sources, Metadata& m, const std::string& where) {
  for (const auto& ds : mapping(sources, "datasources", where)) {
    std::string name = ds.first.as<std::string>();
    std::string at = "datasources." + name;
    if (auto a = mapping(ds.second["annotations"], at + ".annotations", where); a && a["fetch-interval"]) {
      std::string iv = scalar(a["fetch-interval"], at + ".annotations.fetch-interval", where);
      if (iv.ends_with("ms")) m.intervals[name] = number(iv.substr(0, iv.size() - 2), at + ".fetch-interval", where);
      else if (iv.ends_with("s")) m.intervals[name] = 1000 * number(iv.substr(0, iv.size() - 1), at + ".fetch-interval", where);
    }
    for (const auto& f : mapping(ds.second["fields"], at + ".fields", where)) {
      std::string field = f.first.as<std::string>();
      read_attributes(f.second["annotations"], m.fields[name][field], at + ".fields." + field + ".annotations", where);
    }
  }
}

void read_params(const YAML::Node& params, const std::string& at, std::map<std::string, ParamMeta>& out,
                 const std::string& where) {
  for (const auto& p : mapping(params, at, where)) {
    std::string var = p.first.as<std::string>();
    mapping(p.second, at + "." + var, where);
    ParamMeta& pm = out[var];
    pm.key = scalar(p.second["key"], at + "." + var + ".key", where);
    pm.default_value = scalar(p.second["defaultValue"], at + "." + var + ".defaultValue", where);
    pm.description = scalar(p.second["description"], at + "." + var + ".description", where);
  }
}

}  // namespace

Metadata parse_metadata(const std::string& yaml, const std::string& where) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    throw Error(Exit::bad_input, "gadget.yaml is not YAML: " + e.msg + " (line " + std::to_string(e.mark.line + 1) + ")",
                where);
  }
  Metadata m;
  if (!root || root.IsNull()) return m;
  if (!root.IsMap()) throw Error(Exit::bad_input, "gadget.yaml is not a mapping", where);
  try {
    m.name = scalar(root["name"], "name", where);
    m.description = scalar(root["description"], "description", where);
    m.version = scalar(root["version"], "version", where);
    for (const auto& t : mapping(root["tracers"], "tracers", where)) {
      std::string name = t.first.as<std::string>();
      m.tracers[name] = {scalar(t.second["mapName"], "tracers." + name + ".mapName", where),
                         scalar(t.second["structName"], "tracers." + name + ".structName", where)};
    }
    read_older_structs(root["structs"], m, where);
    read_datasources(root["datasources"], m, where);
    read_params(root["ebpfParams"], "ebpfParams", m.params, where);
    if (auto p = mapping(root["params"], "params", where)) {
      read_params(p["ebpf"], "params.ebpf", m.params, where);
      read_params(p["wasm"], "params.wasm", m.wasm_params, where);
    }
  } catch (const YAML::Exception& e) {
    throw Error(Exit::bad_input, "gadget.yaml: " + e.msg, where);
  }
  return m;
}

}  // namespace ecc::gadget
