; Semantic units of Python. Decorators are part of the unit (wrapper node).
(function_definition name: (identifier) @name) @fn
(class_definition name: (identifier) @name) @class
(module (expression_statement (assignment left: (identifier) @name)) @const)
(import_statement) @import
(import_from_statement) @import
(future_import_statement) @import
