; Semantic units of Go. Methods are named after their receiver type.
(function_declaration name: (identifier) @name) @fn
(method_declaration name: (field_identifier) @name) @method
(type_spec name: (type_identifier) @name type: (struct_type)) @struct
(type_spec name: (type_identifier) @name type: (interface_type)) @interface
(type_spec name: (type_identifier) @name type: (_)) @type
(type_alias name: (type_identifier) @name) @type
(const_spec name: (identifier) @name) @const
(source_file (var_declaration (var_spec name: (identifier) @name) @const))
(import_declaration) @import
