"""6. redefinitions keep the values of unrelated variables."""


def test_redefine_method_keeps_variable(run):
    run("int x = 7;").ok()
    run('String greet() { return "a"; }').ok()
    assert run("greet()").ok().text == '"a"'
    run('String greet() { return "b"; }').ok()
    assert run("x").ok().text == "7"
    assert run("greet()").ok().text == '"b"'


def test_redefine_class_keeps_variable(run):
    run("int x = 7;").ok()
    run("class P { int v = 1; }").ok()
    assert run("new P().v").ok().text == "1"
    run("class P { int v = 2; int w = 3; }").ok()
    assert run("x").ok().text == "7"
    assert run("new P().v + new P().w").ok().text == "5"


def test_redefine_variable_type(run):
    run("int z = 1;").ok()
    run('String z = "now a string";').ok()
    assert run("z").ok().text == '"now a string"'


def test_method_using_redefined_method(run):
    run("int base() { return 1; }").ok()
    run("int twice() { return 2 * base(); }").ok()
    assert run("twice()").ok().text == "2"
    run("int base() { return 10; }").ok()
    assert run("twice()").ok().text == "20"
