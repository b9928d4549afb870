"""Bicep tokens into the syntax tree (``linter.bicep.syntax``), following the Bicep compiler.

The specification is Azure/bicep ``docs/grammar.md``; where it is loose, this parser does what
``src/Bicep.Core/Parsing/BaseParser.cs``, ``Parser.cs`` and ``ParamsParser.cs`` do (newlines
allowed before ``?`` and ``:`` of a ternary, after ``,`` in calls, after ``=>``; items of objects
and arrays separated by newlines or commas; operator precedence ``* / %`` > ``+ -`` > comparisons
> equality > ``&&`` > ``||`` > ``??`` > ``?:``; filtered loops only over resources and modules).

It stops at the first error with a message that speaks Bicep (``expected ':' after the property
name 'location'``) and the position of the offending token. Unlike the compiler it does not
recover: the front end reports one AKSB000 per file.
"""

from __future__ import annotations

from typing import Any

from linter.arm import expr as ex
from linter.arm.jsonpos import PosDict, PosList
from linter.bicep.lexer import (
    EOF,
    FALSE,
    ID,
    INT,
    NL,
    NULL,
    STRING,
    STRING_LEFT,
    STRING_MIDDLE,
    STRING_RIGHT,
    TRUE,
    Token,
    tokenize,
)
from linter.bicep.syntax import (
    BicepFile,
    Body,
    Declaration,
    Decorator,
    Function,
    Import,
    Loop,
    Module,
    Resource,
    TypeInfo,
)
from linter.model import Span

#: binary operator -> precedence (Bicep TokenTypeHelper.GetOperatorPrecedence)
PRECEDENCE = {
    "*": 100,
    "/": 100,
    "%": 100,
    "+": 90,
    "-": 90,
    ">": 80,
    ">=": 80,
    "<": 80,
    "<=": 80,
    "==": 70,
    "!=": 70,
    "=~": 70,
    "!~": 70,
    "&&": 50,
    "||": 40,
    "??": 30,
}
DECLARATION_KEYWORDS = {
    "metadata",
    "param",
    "var",
    "resource",
    "output",
    "module",
    "type",
    "import",
    "assert",
}
_TEMPLATE_KEYWORDS = {
    "targetScope",
    "metadata",
    "type",
    "param",
    "var",
    "func",
    "resource",
    "output",
    "module",
    "test",
    "import",
    "extension",
    "assert",
}
_PARAMS_KEYWORDS = {"using", "extends", "param", "var", "import", "extensionConfig", "extension", "type"}


class BicepSyntaxError(ValueError):
    """A place where the text is not Bicep as this parser knows it."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


def parse(text: str, file: str, *, params_file: bool = False) -> BicepFile:
    """Parse a ``.bicep`` (or, with ``params_file``, a ``.bicepparam``) text; raises
    ``linter.bicep.lexer.LexError`` or ``BicepSyntaxError``."""
    return _Parser(tokenize(text), file, params_file).program()


def describe(token: Token) -> str:
    kind, value = token[0], token[1]
    if kind == NL:
        return "the end of the line"
    if kind == EOF:
        return "the end of the file"
    if kind in (STRING, STRING_LEFT):
        return "a string"
    if kind in (STRING_MIDDLE, STRING_RIGHT):
        return "the rest of a string"
    if kind == ID:
        return f"'{value}'"
    if kind == INT:
        return f"the number {value}"
    return f"'{value}'"


class _Parser:
    def __init__(self, tokens: list[Token], file: str, params_file: bool) -> None:
        self.tokens = tokens
        self.file = file
        self.params_file = params_file
        self.i = 0
        self.spreads = 0

    # --- tokens -------------------------------------------------------------------------------

    def kind(self, ahead: int = 0) -> str:
        return self.tokens[min(self.i + ahead, len(self.tokens) - 1)][0]

    def peek_skipping_newlines(self) -> Token:
        j = self.i
        while self.tokens[j][0] == NL:
            j += 1
        return self.tokens[j]

    def at_keyword(self, word: str) -> bool:
        token = self.tokens[self.i]
        return token[0] == ID and token[1] == word

    def next(self) -> Token:
        token = self.tokens[self.i]
        if token[0] != EOF:
            self.i += 1
        return token

    def error(self, message: str, token: Token | None = None) -> BicepSyntaxError:
        token = token or self.tokens[self.i]
        return BicepSyntaxError(message, token[2], token[3])

    def expect(self, kind: str, what: str) -> Token:
        token = self.tokens[self.i]
        if token[0] != kind:
            raise self.error(f"expected {what} but found {describe(token)}")
        self.i += 1
        return token

    def identifier(self, what: str) -> str:
        return self.expect(ID, what)[1]

    def keyword(self, word: str, what: str = "") -> None:
        if not self.at_keyword(word):
            raise self.error(f"expected {what or repr(word)} but found {describe(self.tokens[self.i])}")
        self.i += 1

    def newlines(self) -> None:
        while self.tokens[self.i][0] == NL:
            self.i += 1

    def span_from(self, start: Token) -> Span:
        """From the start of ``start`` to the end of the last token read."""
        last = self.tokens[self.i - 1] if self.i > 0 else start
        return Span(self.file, start[2], start[3], last[4], last[5])

    # --- the file -------------------------------------------------------------------------------

    def program(self) -> BicepFile:
        declarations: list[Declaration] = []
        keywords = _PARAMS_KEYWORDS if self.params_file else _TEMPLATE_KEYWORDS
        while self.kind() != EOF:
            if self.kind() == NL:
                self.i += 1
                continue
            decorators = self.decorators()
            token = self.tokens[self.i]
            if token[0] != ID or token[1] not in keywords:
                if decorators:
                    raise self.error(
                        f"expected a declaration after the decorator but found {describe(token)}"
                    )
                raise self.error(
                    f"expected a declaration ({', '.join(sorted(keywords))}) but found {describe(token)}"
                )
            declaration = self.declaration(token[1], decorators)
            if self.kind() not in (NL, EOF):
                raise self.error(
                    f"expected a new line after the {token[1]} declaration but found {describe(self.tokens[self.i])}"
                )
            declarations.append(declaration)
        return BicepFile(declarations, self.params_file)

    def declaration(self, word: str, decorators: list[Decorator]) -> Declaration:
        start = self.next()
        if word == "param":
            return (
                self.assignment_param(start, decorators)
                if self.params_file
                else self.param(start, decorators)
            )
        if word == "var":
            name = self.identifier("a variable name after 'var'")
            type_info = None if self.kind() in ("=", NL, EOF) else self.type(False)
            self.expect("=", f"'=' after the variable name '{name}'")
            value, vspan = self.value()
            return Declaration("var", name, self.span_from(start), decorators, value, vspan, type_info)
        if word in ("resource", "module"):
            return self.resource_or_module(word, start, decorators)
        if word == "output":
            name = self.identifier("an output name after 'output'")
            type_info = self.type(True)
            self.expect("=", f"'=' after the type of output '{name}'")
            value, vspan = self.value()
            return Declaration("output", name, self.span_from(start), decorators, value, vspan, type_info)
        if word == "type":
            name = self.identifier("a type name after 'type'")
            self.expect("=", f"'=' after the type name '{name}'")
            type_info = self.type_expression()
            return Declaration("type", name, self.span_from(start), decorators, type=type_info)
        if word == "func":
            return self.function(start, decorators)
        if word == "import":
            if self.kind() in (STRING, STRING_LEFT):  # the old spelling of 'extension'
                return self.extension(start, decorators)
            return self.compile_time_import(start, decorators)
        if word == "extension":
            return self.extension(start, decorators)
        if word in ("metadata", "assert"):
            name = self.identifier(f"a name after '{word}'")
            self.expect("=", f"'=' after the {word} name '{name}'")
            value, vspan = self.value()
            return Declaration(word, name, self.span_from(start), decorators, value, vspan)
        if word == "targetScope":
            self.expect("=", "'=' after 'targetScope'")
            value, vspan = self.value()
            return Declaration(word, word, self.span_from(start), decorators, value, vspan)
        if word == "test":
            name = self.identifier("a test name after 'test'")
            path = self.string_literal("the path of the file the test deploys")
            self.expect("=", f"'=' after the path of test '{name}'")
            body = self.object(complex_=True)
            return Declaration(
                "test", name, self.span_from(start), decorators, body, body.span, TypeInfo(alias=path)
            )
        if word == "using":
            if self.at_keyword("none"):
                self.i += 1
                path = ""
            else:
                path = self.string_literal("the path of the template after 'using' (or 'none')")
            if self.kind() not in (NL, EOF):
                self.keyword("with", "'with' or a new line after the 'using' path")
                self.object(complex_=True)
            return Declaration("using", path, self.span_from(start), decorators)
        if word == "extends":
            path = self.string_literal("the path of the parameters file after 'extends'")
            return Declaration("extends", path, self.span_from(start), decorators)
        if word == "extensionConfig":
            name = self.identifier("an extension alias after 'extensionConfig'")
            self.keyword("with", "'with' after the extension alias")
            self.object(complex_=True)
            return Declaration(word, name, self.span_from(start), decorators)
        raise self.error(f"'{word}' is not a declaration here", start)  # not reached: keywords are checked

    def value(self) -> tuple[Any, Span]:
        start = self.tokens[self.i]
        value = self.expression(complex_=True)
        return value, self.span_from(start)

    def param(self, start: Token, decorators: list[Decorator]) -> Declaration:
        name = self.identifier("a parameter name after 'param'")
        type_info = self.type(False)
        value, vspan = None, None
        if self.kind() == "=":
            self.i += 1
            value, vspan = self.value()
        elif self.kind() not in (NL, EOF):
            raise self.error(f"expected '=' or a new line after the type of parameter '{name}'")
        return Declaration("param", name, self.span_from(start), decorators, value, vspan, type_info)

    def assignment_param(self, start: Token, decorators: list[Decorator]) -> Declaration:
        name = self.identifier("a parameter name after 'param'")
        self.expect("=", f"'=' after the parameter name '{name}'")
        value, vspan = self.value()
        return Declaration("param", name, self.span_from(start), decorators, value, vspan)

    def resource_or_module(self, word: str, start: Token, decorators: list[Decorator]) -> Declaration:
        name = self.identifier(f"a symbolic name after '{word}'")
        target_token = self.tokens[self.i]
        what = "the resource type ('Microsoft.X/y@version')" if word == "resource" else "the module path"
        target = self.string_literal(what)
        target_span = self.span_from(target_token)
        existing = False
        if word == "resource" and self.at_keyword("existing"):
            self.i += 1
            existing = True
        self.expect("=", f"'=' after the {word} {'type' if word == 'resource' else 'path'}")
        if self.peek_skipping_newlines()[0] == ID and self.peek_skipping_newlines()[1] == "if":
            self.newlines()
        body, condition, cspan, loop = self.resource_value(word == "resource")
        common: dict[str, Any] = {
            "name": name,
            "span": self.span_from(start),
            "decorators": decorators,
            "value": body,
            "value_span": body.span,
            "condition": condition,
            "condition_span": cspan,
            "loop": loop,
        }
        if word == "resource":
            return Resource("resource", type_name=target, existing=existing, **common)
        return Module("module", path=target, path_span=target_span, **common)

    def resource_value(self, resources: bool) -> tuple[Body, Any, Span | None, Loop | None]:
        """``{...}``, ``if (cond) {...}`` or ``[for ...: {...} | if (cond) {...}]``."""
        token = self.tokens[self.i]
        if token[0] == "{":
            return self.object(complex_=True, resources=resources), None, None, None
        if token[0] == ID and token[1] == "if":
            condition, cspan, body = self.if_condition(resources)
            return body, condition, cspan, None
        if token[0] == "[":
            open_ = self.next()
            self.newlines()
            item, index, iterable = self.for_header()
            token = self.tokens[self.i]
            condition, cspan = None, None
            if token[0] == ID and token[1] == "if":
                condition, cspan, body = self.if_condition(resources)
            elif token[0] == "{":
                body = self.object(complex_=True, resources=resources)
            else:
                raise self.error(f"expected '{{' or 'if' after ':' of the loop but found {describe(token)}")
            self.newlines()
            self.close("]", open_, "loop")
            return body, None, None, Loop(item, index, iterable, condition, cspan)
        raise self.error(f"expected '{{', 'if' or '[for' after '=' but found {describe(token)}")

    def if_condition(self, resources: bool) -> tuple[Any, Span, Body]:
        self.keyword("if")
        start = self.tokens[self.i]
        open_ = self.expect("(", "'(' after 'if'")
        self.newlines()
        condition = self.expression(complex_=True)
        self.newlines()
        self.close(")", open_, "condition")
        cspan = self.span_from(start)
        return condition, cspan, self.object(complex_=True, resources=resources)

    def for_header(self) -> tuple[str | None, str | None, Any]:
        """``for item in iterable :`` or ``for (item, index) in iterable :`` (after the '[')."""
        self.keyword("for", "'for'")
        index = None
        if self.kind() == "(":
            self.i += 1
            item = self.identifier("the loop item name after '('")
            self.expect(",", "',' after the loop item name")
            index = self.identifier("the loop index name after ','")
            self.expect(")", "')' after the loop index name")
        else:
            item = self.identifier("the loop item name (or '(item, index)') after 'for'")
        self.keyword("in", "'in' after the loop variable")
        iterable = self.expression(complex_=True)
        self.expect(":", "':' after the loop collection")
        return item, index, iterable

    def close(self, kind: str, opened: Token, what: str) -> Token:
        token = self.tokens[self.i]
        if token[0] != kind:
            raise self.error(
                f"expected '{kind}' to close the {what} opened at line {opened[2]} column {opened[3]}"
                f" but found {describe(token)}"
            )
        self.i += 1
        return token

    def function(self, start: Token, decorators: list[Decorator]) -> Declaration:
        name = self.identifier("a function name after 'func'")
        open_ = self.expect("(", f"'(' after the function name '{name}'")
        self.newlines()
        params: list[str] = []
        while self.kind() != ")":
            params.append(self.identifier("a parameter name"))
            self.type(False)
            self.newlines()
            if self.kind() != ",":
                break
            self.i += 1
            self.newlines()
        self.close(")", open_, "parameter list")
        self.type(False)
        self.expect("=>", "'=>' after the return type of the function")
        self.lambda_newlines()
        body = self.expression(complex_=True)
        return Function("func", name, self.span_from(start), decorators, body, None, None, tuple(params))

    def compile_time_import(self, start: Token, decorators: list[Decorator]) -> Declaration:
        symbols: list[tuple[str, str]] = []
        wildcard = ""
        if self.kind() == "{":
            open_ = self.next()
            for item_start in self.elements("}", "imported names"):
                if self.kind() == ID or self.kind() == STRING:
                    original = self.next()[1]
                else:
                    raise self.error(
                        f"expected the name of an exported symbol but found {describe(item_start)}"
                    )
                local = original
                if self.at_keyword("as"):
                    self.i += 1
                    local = self.identifier("a local name after 'as'")
                symbols.append((original, local))
            self.close("}", open_, "import list")
        elif self.kind() == "*":
            self.i += 1
            self.keyword("as", "'as' after '*'")
            wildcard = self.identifier("a namespace name after 'as'")
        else:
            raise self.error(f"expected '{{' or '*' after 'import' but found {describe(self.tokens[self.i])}")
        self.keyword("from", "'from' after the imported names")
        path = self.string_literal("the path of the file to import from")
        return Import(
            "import",
            wildcard or path,
            self.span_from(start),
            decorators,
            path=path,
            symbols=symbols,
            wildcard=wildcard,
        )

    def extension(self, start: Token, decorators: list[Decorator]) -> Declaration:
        if self.kind() == ID:
            name = self.next()[1]
        else:
            name = self.string_literal("the extension name or reference")
        if self.at_keyword("with"):
            self.i += 1
            self.object(complex_=True)
        if self.at_keyword("as"):
            self.i += 1
            self.identifier("an alias after 'as'")
        return Declaration("extension", name, self.span_from(start), decorators)

    def decorators(self) -> list[Decorator]:
        out: list[Decorator] = []
        while self.kind() == "@":
            out.append(self.decorator())
            if self.kind() != NL:
                raise self.error(
                    f"expected a new line after the decorator but found {describe(self.tokens[self.i])}"
                )
            self.newlines()
        return out

    def decorator(self) -> Decorator:
        start = self.next()
        name = self.identifier("a decorator name after '@'")
        args: tuple[Any, ...] = ()
        if self.kind() == "(":
            args = self.call_arguments(complex_=True)
        while self.kind() == ".":
            self.i += 1
            name = f"{name}.{self.identifier('a name after .')}"
            if self.kind() == "(":
                args = self.call_arguments(complex_=True)
        return Decorator(name, args, self.span_from(start))

    # --- separated elements of objects, arrays, import lists ------------------------------

    def elements(self, closing: str, what: str) -> Any:
        """Yield at the start of each element of an object/array body (``{``/``[`` already read);
        elements are separated by newlines or by one comma (HandleArrayOrObjectElements)."""
        if self.kind() == closing:
            return
        self.newlines()
        expect_element = True
        while True:
            kind = self.kind()
            if kind in (closing, EOF):
                return
            if not expect_element:
                if kind == NL:
                    self.newlines()
                elif kind == ",":
                    self.i += 1
                    if self.kind() == NL:
                        raise self.error(
                            f"a ',' between {what} cannot end a line: use either commas or new lines"
                        )
                else:
                    raise self.error(
                        f"expected a new line or ',' between {what} but found {describe(self.tokens[self.i])}"
                    )
                expect_element = True
                continue
            yield self.tokens[self.i]
            expect_element = False

    # --- expressions ----------------------------------------------------------------------

    def expression(self, complex_: bool) -> Any:
        condition = self.binary(complex_, 0)
        if self.kind() == "?" or (self.kind() == NL and self.peek_skipping_newlines()[0] == "?"):
            self.newlines()
            self.i += 1
            when_true = self.expression(complex_)
            if self.kind() == NL and self.peek_skipping_newlines()[0] == ":":
                self.newlines()
            self.expect(":", "':' of the conditional expression (cond ? a : b)")
            when_false = self.expression(complex_)
            return ex.Op("?:", (condition, when_true, when_false))
        return condition

    def binary(self, complex_: bool, precedence: int) -> Any:
        left = self.unary(complex_)
        while True:
            op = self.tokens[self.i][0]
            p = PRECEDENCE.get(op)
            if p is None or p <= precedence:
                return left
            self.i += 1
            right = self.binary(complex_, p)
            left = ex.Op(op, (left, right))

    def unary(self, complex_: bool) -> Any:
        kind = self.kind()
        if kind == "!" or kind == "-":
            self.i += 1
            operand = self.member(complex_)
            if kind == "-" and isinstance(operand, int) and not isinstance(operand, bool):
                return -operand
            return ex.Op("!" if kind == "!" else "neg", (operand,))
        return self.member(complex_)

    def member(self, complex_: bool) -> Any:
        node = self.primary(complex_)
        tokens = self.tokens
        while True:
            kind = tokens[self.i][0]
            if kind == ".":
                self.i += 1
                safe = self.kind() == "?"
                if safe:
                    self.i += 1
                name = self.identifier("a property or function name after '.'")
                if self.kind() == "(":
                    args = self.call_arguments(complex_)
                    if isinstance(node, ex.Ref):
                        node = ex.Call(f"{node.name}.{name}", args)
                    else:
                        node = ex.Method(node, name, args)
                else:
                    node = ex.Prop(node, name, safe)
            elif kind == "[":
                open_ = self.next()
                safe = self.kind() == "?"
                if safe:
                    self.i += 1
                from_end = self.kind() == "^"
                if from_end:
                    self.i += 1
                if self.kind() == "]":
                    raise self.error("an index is required between '[' and ']'")
                index = self.expression(complex_)
                self.close("]", open_, "index")
                node = ex.Index(node, index, safe, from_end)
            elif kind == "::":
                self.i += 1
                name = self.identifier("a child resource name after '::'")
                if isinstance(node, ex.Ref):
                    node = ex.Ref(f"{node.name}::{name}")
                elif isinstance(node, ex.Index) and isinstance(node.target, ex.Ref):
                    node = ex.Index(ex.Ref(f"{node.target.name}::{name}"), node.index)
                else:
                    node = ex.Prop(node, name)
            elif kind == "!":  # non-null assertion: the value itself
                self.i += 1
            else:
                return node

    def primary(self, complex_: bool) -> Any:
        token = self.tokens[self.i]
        kind = token[0]
        if kind == ID:
            self.i += 1
            nxt = self.tokens[self.i][0]
            if nxt == "(":
                return ex.Call(token[1], self.call_arguments(complex_))
            if nxt == "=>":
                self.i += 1
                return self.lambda_body((token[1],), token)
            return ex.Ref(token[1])
        if kind == STRING:
            self.i += 1
            return token[1]
        if kind == STRING_LEFT:
            return self.interpolation()
        if kind == INT:
            self.i += 1
            return int(token[1])
        if kind in (TRUE, FALSE):
            self.i += 1
            return kind == TRUE
        if kind == NULL:
            self.i += 1
            return None
        if kind == "{" or kind == "[":
            if not complex_:
                raise self.error("object and array literals are not allowed inside a string hole '${...}'")
            if kind == "{":
                return self.object(complex_=True)
            j = self.i + 1
            while self.tokens[j][0] == NL:
                j += 1
            nxt = self.tokens[j]
            if nxt[0] == ID and nxt[1] == "for":
                return self.for_expression()
            return self.array()
        if kind == "(":
            return self.parenthesized_or_lambda(complex_)
        raise self.error(f"expected an expression but found {describe(token)}")

    def call_arguments(self, complex_: bool) -> tuple[Any, ...]:
        open_ = self.next()
        args: list[Any] = []
        if self.kind() == ")":
            self.i += 1
            return ()
        self.newlines()
        while True:
            args.append(self.expression(complex_))
            kind = self.kind()
            if kind == NL:
                self.newlines()
                if self.kind() != ")":
                    raise self.error(
                        f"expected ',' between function arguments but found {describe(self.tokens[self.i])}"
                    )
                break
            if kind != ",":
                break
            self.i += 1
            self.newlines()
            if self.kind() == ")":
                raise self.error("a function call cannot end with ','")
        self.close(")", open_, "function call")
        return tuple(args)

    def parenthesized_or_lambda(self, complex_: bool) -> Any:
        open_ = self.next()
        self.newlines()
        items: list[Any] = []
        while self.kind() != ")":
            items.append(self.expression(complex_))
            self.newlines()
            if self.kind() != ",":
                break
            self.i += 1
            self.newlines()
        self.close(")", open_, "parentheses")
        if self.kind() == "=>":
            self.i += 1
            names = []
            for item in items:
                if not isinstance(item, ex.Ref):
                    raise self.error("lambda parameters must be plain names: (a, b) => ...", open_)
                names.append(item.name)
            return self.lambda_body(tuple(names), open_)
        if len(items) != 1:
            raise self.error("parentheses must hold exactly one expression", open_)
        return items[0]

    def lambda_newlines(self) -> None:
        nxt = self.peek_skipping_newlines()
        if not (nxt[0] == ID and nxt[1] in DECLARATION_KEYWORDS):
            self.newlines()

    def lambda_body(self, params: tuple[str, ...], start: Token) -> ex.Lambda:
        self.lambda_newlines()
        body = self.expression(complex_=True)
        return ex.Lambda(params, body)

    def interpolation(self) -> Any:
        parts: list[Any] = []
        first = self.next()
        if first[1]:
            parts.append(first[1])
        while True:
            parts.append(self.expression(complex_=False))
            token = self.tokens[self.i]
            if token[0] == STRING_MIDDLE:
                self.i += 1
                if token[1]:
                    parts.append(token[1])
                continue
            if token[0] == STRING_RIGHT:
                self.i += 1
                if token[1]:
                    parts.append(token[1])
                return ex.Interp(tuple(parts))
            raise self.error(f"expected '}}' to close the string hole '${{' but found {describe(token)}")

    def string_literal(self, what: str) -> str:
        token = self.tokens[self.i]
        if token[0] == STRING:
            self.i += 1
            return token[1]
        if token[0] == STRING_LEFT:
            raise self.error(f"{what} must be a plain string without '${{...}}'")
        raise self.error(f"expected {what} but found {describe(token)}")

    def object(self, complex_: bool, resources: bool = False) -> Body:
        open_ = self.expect("{", "'{'")
        obj = Body() if resources else PosDict()
        first = True
        for start in self.elements("}", "properties"):
            after = "after '{' " if first else ""
            first = False
            kind = start[0]
            if resources and (kind == "@" or (kind == ID and start[1] == "resource" and self.kind(1) == ID)):
                decorators = self.decorators()
                self.keyword("resource", "'resource' after the decorator")
                nested = self.resource_or_module(
                    "resource", start if not decorators else self.tokens[self.i - 1], decorators
                )
                obj.resources.append(nested)  # type: ignore[attr-defined]
                continue
            if kind == "...":
                self.i += 1
                value = self.expression(complex_=True)
                self.spreads += 1
                key: Any = ex.Spread(self.spreads, value)
            else:
                if kind in (ID, STRING):
                    self.i += 1
                    key = start[1]
                elif kind == STRING_LEFT:
                    key = self.interpolation()
                else:
                    raise self.error(
                        f"expected a property name (or '...' to spread an object) {after}but found {describe(start)}"
                    )
                if self.kind() != ":":
                    raise self.error(
                        f"expected ':' after the property name {ex.render(key) if not isinstance(key, str) else repr(key)}"
                        f" but found {describe(self.tokens[self.i])}"
                    )
                self.i += 1
                value = self.expression(complex_=True)
            obj[key] = value
            obj.key_spans[key] = self.span_from(start)
        close = self.close("}", open_, "object")
        obj.span = Span(self.file, open_[2], open_[3], close[4], close[5])
        return obj

    def array(self) -> PosList:
        open_ = self.next()
        out = PosList()
        for start in self.elements("]", "array items"):
            if start[0] == "...":
                self.i += 1
                self.spreads += 1
                out.append(ex.Spread(self.spreads, self.expression(complex_=True)))
            else:
                out.append(self.expression(complex_=True))
            out.item_spans.append(self.span_from(start))
        close = self.close("]", open_, "array")
        out.span = Span(self.file, open_[2], open_[3], close[4], close[5])
        return out

    def for_expression(self) -> ex.ForExpr:
        open_ = self.next()
        self.newlines()
        item, index, iterable = self.for_header()
        body = self.expression(complex_=True)
        self.newlines()
        self.close("]", open_, "loop")
        return ex.ForExpr(item or "_", index, iterable, body)

    # --- types --------------------------------------------------------------------------------

    def type(self, allow_optional_resource_type: bool) -> TypeInfo:
        """A parameter, output, variable or function type (``Type`` in BaseParser)."""
        if self.at_keyword("resource") and self.kind(1) != "<":
            self.i += 1
            if self.kind() in (STRING, STRING_LEFT) or not allow_optional_resource_type:
                self.string_literal("the resource type after 'resource'")
            return TypeInfo()
        return self.type_expression()

    def type_expression(self) -> TypeInfo:
        leading = self.kind() == "|" or (self.kind() == NL and self.peek_skipping_newlines()[0] == "|")
        if leading:
            self.newlines()
            self.i += 1
        first = self.unary_type()
        if not (
            leading or self.kind() == "|" or (self.kind() == NL and self.peek_skipping_newlines()[0] == "|")
        ):
            return first
        nullable = first.nullable
        while self.kind() == "|" or (self.kind() == NL and self.peek_skipping_newlines()[0] == "|"):
            self.newlines()
            self.i += 1
            if self.kind() == NL:
                raise self.error("expected a type after '|'")
            nullable = self.unary_type().nullable or nullable
        return TypeInfo(nullable=nullable)

    def unary_type(self) -> TypeInfo:
        if self.kind() in ("-", "!"):
            self.i += 1
        info = self.member_type()
        while self.kind() in ("?", "!"):
            if self.next()[0] == "?":
                info = TypeInfo(nullable=True, alias=info.alias)
        return info

    def member_type(self) -> TypeInfo:
        info = self.primary_type()
        while True:
            kind = self.kind()
            if kind == "[":
                open_ = self.next()
                if self.kind() == "*":
                    self.i += 1
                elif self.kind() != "]":
                    self.expression(complex_=False)
                self.close("]", open_, "type index")
                info = TypeInfo()
            elif kind == ".":
                self.i += 1
                if self.kind() == "*":
                    self.i += 1
                else:
                    self.identifier("a property name after '.' in the type")
                    if self.kind() == "<":
                        self.type_arguments()
                info = TypeInfo()
            else:
                return info

    def primary_type(self) -> TypeInfo:
        token = self.tokens[self.i]
        kind = token[0]
        if kind in (INT, TRUE, FALSE):
            self.i += 1
            return TypeInfo()
        if kind == NULL:
            self.i += 1
            return TypeInfo(nullable=True)
        if kind in (STRING, STRING_LEFT):
            self.string_literal("a string literal type")
            return TypeInfo()
        if kind == "{":
            self.object_type()
            return TypeInfo()
        if kind == "[":
            self.tuple_type()
            return TypeInfo()
        if kind == "(":
            open_ = self.next()
            inner = self.type_expression()
            self.close(")", open_, "parentheses")
            return inner
        if kind == ID:
            self.i += 1
            if self.kind() == "<":
                self.type_arguments()
                return TypeInfo()
            return TypeInfo(alias=token[1])
        raise self.error(f"expected a type but found {describe(token)}")

    def type_arguments(self) -> None:
        open_ = self.next()
        self.newlines()
        while self.kind() != ">":
            self.type_expression()
            self.newlines()
            if self.kind() != ",":
                break
            self.i += 1
            self.newlines()
        self.close(">", open_, "type arguments")

    def object_type(self) -> None:
        open_ = self.next()
        for start in self.elements("}", "properties"):
            self.decorators()
            token = self.tokens[self.i]
            if token[0] in (ID, STRING, "*"):
                self.i += 1
            elif token[0] == STRING_LEFT:
                raise self.error("a property name in a type must be a plain string")
            else:
                raise self.error(f"expected a property name in the object type but found {describe(token)}")
            self.expect(":", "':' after the property name in the object type")
            self.type_expression()
            del start
        self.close("}", open_, "object type")

    def tuple_type(self) -> None:
        open_ = self.next()
        for _ in self.elements("]", "tuple items"):
            self.decorators()
            self.type_expression()
        self.close("]", open_, "tuple type")


__all__ = ["BicepSyntaxError", "PRECEDENCE", "describe", "parse"]
