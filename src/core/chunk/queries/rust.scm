; Semantic units of Rust. The capture name of the unit node is its kind, @name its name.
; `fn` inside an impl/trait becomes `method`; `impl` units are named from their header.
(function_item name: (identifier) @name) @fn
(function_signature_item name: (identifier) @name) @fn
(struct_item name: (type_identifier) @name) @struct
(enum_item name: (type_identifier) @name) @enum
(union_item name: (type_identifier) @name) @union
(trait_item name: (type_identifier) @name) @trait
(impl_item) @impl
(mod_item name: (identifier) @name body: (declaration_list)) @mod
(macro_definition name: (identifier) @name) @macro
(const_item name: (identifier) @name) @const
(static_item name: (identifier) @name) @static
(type_item name: (type_identifier) @name) @type
(associated_type name: (type_identifier) @name) @type
(use_declaration) @use
