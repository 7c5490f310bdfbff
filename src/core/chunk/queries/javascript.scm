; Semantic units of JavaScript (and JSX).
(function_declaration name: (identifier) @name) @fn
(generator_function_declaration name: (identifier) @name) @fn
(class_declaration name: (identifier) @name) @class
(method_definition name: (_) @name) @fn
(program (lexical_declaration (variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression)])) @fn)
(program (export_statement (lexical_declaration (variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression)])) @fn))
(program (lexical_declaration (variable_declarator name: (identifier) @name)) @const)
(program (export_statement (lexical_declaration (variable_declarator name: (identifier) @name)) @const))
(import_statement) @import
; re-exports (`export { a as b } from './x'`, `export * from './y'`): import units too, read for the re-export hop
(export_statement source: (_)) @import
