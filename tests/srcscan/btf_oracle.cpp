#include "btf_oracle.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <memory>
#include <stdexcept>

namespace ecc::test {

namespace {

Type convert(const struct btf* btf, uint32_t id, TypeId base) {
  const struct btf_type* t = btf__type_by_id(btf, id);
  auto ref = [&](uint32_t type_id) { return type_id ? base + type_id - 1 : TypeId(0); };
  Type out;
  out.btf_id = id;
  out.name = btf__name_by_offset(btf, t->name_off);
  switch (btf_kind(t)) {
    case BTF_KIND_INT: {
      uint32_t enc = btf_int_encoding(t);
      out.kind = TypeKind::Int;
      out.size = t->size;
      out.align = static_cast<uint32_t>(btf__align_of(btf, id));
      out.is_signed = enc & BTF_INT_SIGNED;
      out.is_char = (enc & BTF_INT_CHAR) || out.name.find("char") != std::string::npos;
      out.is_bool = enc & BTF_INT_BOOL;
      break;
    }
    case BTF_KIND_FLOAT:
      out.kind = TypeKind::Float;
      out.size = t->size;
      out.align = static_cast<uint32_t>(btf__align_of(btf, id));
      break;
    case BTF_KIND_PTR:
      out.kind = TypeKind::Pointer;
      out.size = out.align = 8;
      out.target = ref(t->type);
      break;
    case BTF_KIND_ARRAY: {
      const struct btf_array* a = btf_array(t);
      out.kind = TypeKind::Array;
      out.target = ref(a->type);
      out.nelems = a->nelems;
      out.size = static_cast<uint32_t>(btf__resolve_size(btf, id));
      out.align = static_cast<uint32_t>(btf__align_of(btf, a->type));
      break;
    }
    case BTF_KIND_STRUCT:
    case BTF_KIND_UNION: {
      out.kind = btf_is_struct(t) ? TypeKind::Struct : TypeKind::Union;
      out.size = t->size;
      out.align = static_cast<uint32_t>(btf__align_of(btf, id));
      const struct btf_member* m = btf_members(t);
      for (int i = 0; i < btf_vlen(t); ++i, ++m)
        out.members.push_back(Member{btf__name_by_offset(btf, m->name_off), ref(m->type),
                                     btf_member_bit_offset(t, i), btf_member_bitfield_size(t, i)});
      break;
    }
    case BTF_KIND_ENUM: {
      out.kind = TypeKind::Enum;
      out.size = out.align = t->size;
      out.is_signed = btf_kflag(t);
      const struct btf_enum* e = btf_enum(t);
      for (int i = 0; i < btf_vlen(t); ++i, ++e)
        out.values.push_back(EnumValue{btf__name_by_offset(btf, e->name_off), e->val});
      break;
    }
    case BTF_KIND_FWD:
      out.kind = TypeKind::Fwd;
      out.fwd_is_union = btf_kflag(t);
      break;
    case BTF_KIND_TYPEDEF: out.kind = TypeKind::Typedef; out.target = ref(t->type); break;
    case BTF_KIND_CONST: out.kind = TypeKind::Const; out.target = ref(t->type); break;
    case BTF_KIND_VOLATILE: out.kind = TypeKind::Volatile; out.target = ref(t->type); break;
    case BTF_KIND_RESTRICT: out.kind = TypeKind::Restrict; out.target = ref(t->type); break;
    case BTF_KIND_TYPE_TAG: out.kind = TypeKind::TypeTag; out.target = ref(t->type); break;
    case BTF_KIND_FUNC: out.kind = TypeKind::Func; out.target = ref(t->type); break;
    case BTF_KIND_FUNC_PROTO: {
      out.kind = TypeKind::FuncProto;
      out.target = ref(t->type);
      const struct btf_param* p = btf_params(t);
      for (int i = 0; i < btf_vlen(t); ++i, ++p) {
        if (p->type == 0) out.variadic = true;
        else out.params.push_back(Param{btf__name_by_offset(btf, p->name_off), ref(p->type)});
      }
      break;
    }
    default:  // VAR, DATASEC, DECL_TAG: not types of the model
      out = Type{};
      out.btf_id = id;
      break;
  }
  return out;
}

}  // namespace

BtfOracle::BtfOracle(const std::filesystem::path& obj, TypeTable& tt) : tt_(tt) {
  std::unique_ptr<struct btf, void (*)(struct btf*)> btf(btf__parse_elf(obj.c_str(), nullptr), btf__free);
  if (!btf) throw std::runtime_error("no BTF in " + obj.string());
  base_ = static_cast<TypeId>(tt.size());
  uint32_t n = btf__type_cnt(btf.get());
  for (uint32_t id = 1; id < n; ++id) tt.add(convert(btf.get(), id, base_));
  end_ = static_cast<TypeId>(tt.size());
}

std::optional<TypeId> BtfOracle::find(TypeKind kind, const std::string& name) const {
  for (TypeId id = base_; id < end_; ++id)
    if (tt_.at(id).kind == kind && tt_.at(id).name == name) return id;
  return std::nullopt;
}

}  // namespace ecc::test
