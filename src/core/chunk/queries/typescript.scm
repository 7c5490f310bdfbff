; Semantic units of TypeScript (also used for TSX).
(function_declaration name: (identifier) @name) @fn
(generator_function_declaration name: (identifier) @name) @fn
(function_signature name: (identifier) @name) @fn
(class_declaration name: (type_identifier) @name) @class
(abstract_class_declaration name: (type_identifier) @name) @class
(method_definition name: (_) @name) @fn
(abstract_method_signature name: (_) @name) @fn
(interface_declaration name: (type_identifier) @name) @interface
(type_alias_declaration name: (type_identifier) @name) @type
(enum_declaration name: (identifier) @name) @enum
(internal_module name: (_) @name) @mod
(program (lexical_declaration (variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression)])) @fn)
(program (export_statement (lexical_declaration (variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression)])) @fn))
(program (lexical_declaration (variable_declarator name: (identifier) @name)) @const)
(program (export_statement (lexical_declaration (variable_declarator name: (identifier) @name)) @const))
(import_statement) @import
; re-exports (`export { a as b } from './x'`, `export * from './y'`): import units too, read for the re-export hop
(export_statement source: (_)) @import
