/* SPDX-License-Identifier: Apache-2.0 */
/*
 * momlang_golden.h: golden translations for momlang_test.c: MOM text and
 * the JSON policy it converts to (policy name "t").
 */
static const struct golden goldens[] = {
    {"defvar and set of constants are parameters; True/False",
     "(defvar False 0)\n(defvar True 1)\n(defvar a 5)\n(defvar b "
     "-0.5)\n(defvar c 0x10)\n(defvar d 0o17)\n(defvar e 1e3)\n(defvar f "
     ".25)\n(set a True)",
     "{\"description\":\"Converted from MOM's policy language: "
     "t\",\"parameters\":{\"a\":{\"default\":1},\"b\":{\"default\":-0.5},\"c\":"
     "{\"default\":16},\"d\":{\"default\":15},\"e\":{\"default\":1000.0},\"f\":"
     "{\"default\":0.25}}}"},
    {"a float under the smallest double is 0 or subnormal, as MOM's float()",
     "(defvar a 1e-400)\n(defvar b -1e-310)",
     "{\"description\":\"Converted from MOM's policy language: "
     "t\",\"parameters\":{\"a\":{\"default\":0.0},\"b\":{\"default\":-1e-"
     "310}}}"},
    {"vdsm's 01-parameters lines",
     "(set balloonEnabled True)\n(set ksmEnabled False)\n(set "
     "ksmMergeAcrossNodes 1)",
     "{\"description\":\"Converted from MOM's policy language: "
     "t\",\"parameters\":{\"balloonEnabled\":{\"default\":1},\"ksmEnabled\":{"
     "\"default\":0},\"ksmMergeAcrossNodes\":{\"default\":1}}}"},
    {"comments, also at the end without a newline",
     "# a comment\n(defvar a 1) # another\n# last line",
     "{\"description\":\"Converted from MOM's policy language: "
     "t\",\"parameters\":{\"a\":{\"default\":1}}}"},
    {"defvar of an expression, set and setq make new bindings",
     "(defvar x (+ Host.mem_free 1))\n(set x (* x 2))\n(setq x (- x (Host.Stat "
     "\"mem_free\")))\n(Host.Control \"ksm_run\" (/ x (Host.StatAvg "
     "\"mem_free\")))",
     "{\"description\":\"Converted from MOM's policy language: "
     "t\",\"host\":[{\"rule\":\"host\",\"do\":[{\"let\":{\"x__t\":[\"+\",["
     "\"stat\",\"mem_free\"],1]}},{\"let\":{\"x_2__t\":[\"*\",\"x__t\",2]}},{"
     "\"let\":{\"x_3__t\":[\"-\",\"x_2__t\",[\"stat\",\"mem_free\"]]}},{"
     "\"set\":\"ksm_run\",\"to\":[\"/"
     "\",\"x_3__t\",[\"avg\",\"mem_free\"]]}]}]}"},
    {"Stat with a default, nil",
     "(Host.Control \"ksm_run\" (Host.Stat \"ksm_run\" 3))\n(Host.Control "
     "\"ksm_pages_to_scan\" (if (== Host.ksm_run nil) 1 2))",
     "{\"description\":\"Converted from MOM's policy language: "
     "t\",\"host\":[{\"rule\":\"host\",\"do\":[{\"set\":\"ksm_run\",\"to\":["
     "\"default\",[\"stat\",\"ksm_run\"],3]},{\"let\":{\"cond__t\":[\"==\",["
     "\"stat\",\"ksm_run\"],null]}},{\"set\":\"ksm_pages_to_scan\",\"to\":["
     "\"if\",\"cond__t\",1,2]}]}]}"},
    {"if with statements guards them; a constant condition picks its branch",
     "(defvar x Host.ksm_run)\n(if (> x 0) (Host.Control \"ksm_run\" 1) (set x "
     "5))\n(if 1 (Host.Control \"ksm_pages_to_scan\" x) (Host.Control "
     "\"ksm_pages_to_scan\" 7))",
     "{\"description\":\"Converted from MOM's policy language: "
     "t\",\"host\":[{\"rule\":\"host\",\"do\":[{\"let\":{\"x__t\":[\"stat\","
     "\"ksm_run\"]}},{\"let\":{\"cond__t\":[\">\",\"x__t\",0]}},{\"let\":{"
     "\"otherwise__t\":[\"not\",\"cond__t\"]}},{\"if\":\"cond__t\",\"then\":[{"
     "\"set\":\"ksm_run\",\"to\":1}]},{\"let\":{\"x_2__t\":[\"if\",\"otherwise_"
     "_t\",5,\"x__t\"]}},{\"set\":\"ksm_pages_to_scan\",\"to\":\"x_2__t\"}]}]"
     "}"},
    {"if as a value",
     "(Host.Control \"ksm_sleep_millisecs\" (if (< Host.ksm_run 3) 10 (max "
     "Host.ksm_run 20)))",
     "{\"description\":\"Converted from MOM's policy language: "
     "t\",\"host\":[{\"rule\":\"host\",\"do\":[{\"let\":{\"cond__t\":[\"<\",["
     "\"stat\",\"ksm_run\"],3]}},{\"set\":\"ksm_sleep_millisecs\",\"to\":["
     "\"if\",\"cond__t\",10,[\"max\",[\"stat\",\"ksm_run\"],20]]}]}]}"},
    {"nested if in statements",
     "(if (> Host.ksm_run 0)\n  (if (> Host.ksm_pages_shared 0) (Host.Control "
     "\"ksm_run\" 2) (Host.Control \"ksm_run\" 1))\n  0)",
     "{\"description\":\"Converted from MOM's policy language: "
     "t\",\"host\":[{\"rule\":\"host\",\"do\":[{\"let\":{\"cond__t\":[\">\",["
     "\"stat\",\"ksm_run\"],0]}},{\"let\":{\"cond_2__t\":[\"if\",\"cond__t\",["
     "\">\",[\"stat\",\"ksm_pages_shared\"],0],0]}},{\"let\":{\"otherwise_2__"
     "t\":[\"and\",\"cond__t\",[\"not\",\"cond_2__t\"]]}},{\"if\":\"cond_2__"
     "t\",\"then\":[{\"set\":\"ksm_run\",\"to\":2}]},{\"if\":\"otherwise_2__"
     "t\",\"then\":[{\"set\":\"ksm_run\",\"to\":1}]}]}]}"},
    {"def, defun and calls are expanded; dynamic scoping",
     "(def twice (v) (* v 2))\n(defun dyn () (+ outer 1))\n(defvar outer "
     "3)\n(let ((outer Host.ksm_run) (y 2)) (Host.Control \"ksm_run\" (dyn)) "
     "(Host.Control \"ksm_pages_to_scan\" (twice y)))",
     "{\"description\":\"Converted from MOM's policy language: "
     "t\",\"parameters\":{\"outer\":{\"default\":3}},\"host\":[{\"rule\":"
     "\"host\",\"do\":[{\"let\":{\"outer__t\":[\"stat\",\"ksm_run\"]}},{"
     "\"let\":{\"y__t\":2}},{\"set\":\"ksm_run\",\"to\":[\"+\",\"outer__t\",1]}"
     ",{\"let\":{\"v__t\":\"y__t\"}},{\"set\":\"ksm_pages_to_scan\",\"to\":[\"*"
     "\",\"v__t\",2]}]}]}"},
    {"a function returning a value from a block",
     "(def f (a b) { (defvar s (+ a b)) (* s 2) })\n(Host.Control \"ksm_run\" "
     "(f Host.ksm_run 1))",
     "{\"description\":\"Converted from MOM's policy language: "
     "t\",\"host\":[{\"rule\":\"host\",\"do\":[{\"let\":{\"a__t\":[\"stat\","
     "\"ksm_run\"]}},{\"let\":{\"b__t\":1}},{\"let\":{\"s__t\":[\"+\",\"a__t\","
     "\"b__t\"]}},{\"set\":\"ksm_run\",\"to\":[\"*\",\"s__t\",2]}]}]}"},
    {"defvar on both branches (vdsm's balloon helpers)",
     "(def g () { (if (> Host.ksm_run 0) (defvar p 1) (defvar p 2)) p "
     "})\n(Host.Control \"ksm_run\" (g))",
     "{\"description\":\"Converted from MOM's policy language: "
     "t\",\"host\":[{\"rule\":\"host\",\"do\":[{\"let\":{\"cond__t\":[\">\",["
     "\"stat\",\"ksm_run\"],0]}},{\"let\":{\"otherwise__t\":[\"not\",\"cond__"
     "t\"]}},{\"let\":{\"p__t\":[\"if\",\"cond__t\",1,null]}},{\"let\":{\"p_2__"
     "t\":[\"if\",\"otherwise__t\",[\"if\",\"cond__t\",\"p__t\",2],\"p__t\"]}},"
     "{\"set\":\"ksm_run\",\"to\":\"p_2__t\"}]}]}"},
    {"defvar on three paths",
     "(def g () { (if (> Host.ksm_run 0) (defvar p 1) (if (> Host.ksm_run 5) "
     "(defvar p 2) (defvar p 3))) p })\n(Host.Control \"ksm_run\" (g))",
     "{\"description\":\"Converted from MOM's policy language: "
     "t\",\"host\":[{\"rule\":\"host\",\"do\":[{\"let\":{\"cond__t\":[\">\",["
     "\"stat\",\"ksm_run\"],0]}},{\"let\":{\"otherwise__t\":[\"not\",\"cond__"
     "t\"]}},{\"let\":{\"p__t\":[\"if\",\"cond__t\",1,null]}},{\"let\":{\"cond_"
     "2__t\":[\"if\",\"otherwise__t\",[\">\",[\"stat\",\"ksm_run\"],5],0]}},{"
     "\"let\":{\"otherwise_2__t\":[\"and\",\"otherwise__t\",[\"not\",\"cond_2__"
     "t\"]]}},{\"let\":{\"p_2__t\":[\"if\",\"cond_2__t\",[\"if\",\"cond__t\","
     "\"p__t\",2],\"p__t\"]}},{\"let\":{\"p_3__t\":[\"if\",\"otherwise_2__t\",["
     "\"if\",[\"or\",\"cond__t\",\"cond_2__t\"],\"p_2__t\",3],\"p_2__t\"]}},{"
     "\"set\":\"ksm_run\",\"to\":\"p_3__t\"}]}]}"},
    {"with Guests is a guest rule; host values from it",
     "(defvar t (Host.StatAvg \"mem_free\"))\n(with Guests g\n  (if (and "
     "(valid g.balloon_cur) (!= (g.Prop \"name\") \"db\"))\n      (g.Control "
     "\"balloon_target\" (max g.balloon_min (- g.balloon_cur (* (Host.StatAvg "
     "\"mem_free\") (+ Host.mem_free t)))))\n      (debug \"skip\" g)))",
     "{\"description\":\"Converted from MOM's policy language: "
     "t\",\"host\":[{\"rule\":\"host\",\"do\":[{\"let\":{\"t__t\":[\"avg\","
     "\"mem_free\"]}}]}],\"guest\":[{\"rule\":\"guests-1\",\"description\":\"("
     "with Guests g ...) at line "
     "2\",\"do\":[{\"let\":{\"cond__t\":[\"and\",[\"present\",[\"stat\","
     "\"balloon_cur\"]],[\"!=\",[\"name\"],[\"str\",\"db\"]]]}},{\"if\":\"cond_"
     "_t\",\"then\":[{\"set\":\"balloon_target\",\"to\":[\"max\",[\"stat\","
     "\"balloon_min\"],[\"-\",[\"stat\",\"balloon_cur\"],[\"*\",[\"host_avg\","
     "\"mem_free\"],[\"+\",[\"host_stat\",\"mem_free\"],\"t__t\"]]]]}]}]}]}"},
    {"with Guests under an if (vdsm's 04 shape)",
     "(if (== True cpuTuneEnabled) {(with Guests guest (guest.Control "
     "\"balloon_target\" (guest.StatAvg \"balloon_cur\")))} {(with Guests "
     "guest (guest.Control \"balloon_target\" 3))})",
     "{\"description\":\"Converted from MOM's policy language: "
     "t\",\"host\":[{\"rule\":\"host\",\"do\":[{\"let\":{\"cond__t\":[\"==\",1,"
     "\"cpuTuneEnabled\"]}},{\"let\":{\"otherwise__t\":[\"not\",\"cond__t\"]}}]"
     "}],\"guest\":[{\"rule\":\"guests-1\",\"description\":\"(with Guests "
     "guest ...) at line "
     "1\",\"do\":[{\"if\":\"cond__t\",\"then\":[{\"set\":\"balloon_target\","
     "\"to\":[\"avg\",\"balloon_cur\"]}]}]},{\"rule\":\"guests-2\","
     "\"description\":\"(with Guests guest ...) at line "
     "1\",\"do\":[{\"if\":\"otherwise__t\",\"then\":[{\"set\":\"balloon_"
     "target\",\"to\":3}]}]}]}"},
    {"operators",
     "(Host.Control \"ksm_run\" (or (not (null Host.ksm_run)) (<= 1 2) (>= 1 "
     "2) (== nil nil) (abs (min 1 2 3))))\n(Host.Control \"ksm_pages_to_scan\" "
     "(and (< 1 2) (> 2 1) (valid Host.ksm_run "
     "Host.ksm_pages_shared)))\n(Host.Control \"ksm_sleep_millisecs\" (- (+ 1 "
     "2) (* 3 (/ 4 5))))",
     "{\"description\":\"Converted from MOM's policy language: t\",\"host\":"
     "[{\"rule\":\"host\",\"do\":[{\"let\":{\"or__t\":[\"not\",[\"absent\",["
     "\"stat\",\"ksm_run\"]]]}},{\"let\":{\"or_2__t\":[\"<=\",1,2]}},{\"let"
     "\":{\"or_3__t\":[\">=\",1,2]}},{\"let\":{\"or_4__t\":[\"==\",null,null"
     "]}},{\"set\":\"ksm_run\",\"to\":[\"if\",\"or__t\",\"or__t\",[\"if\",\""
     "or_2__t\",\"or_2__t\",[\"if\",\"or_3__t\",\"or_3__t\",[\"if\",\"or_4__"
     "t\",\"or_4__t\",[\"abs\",[\"min\",1,2,3]]]]]]},{\"set\":\"ksm_pages_to"
     "_scan\",\"to\":[\"and\",[\"<\",1,2],[\">\",2,1],[\"and\",[\"present\","
     "[\"stat\",\"ksm_run\"]],[\"present\",[\"stat\",\"ksm_pages_shared\"]]]"
     "]},{\"set\":\"ksm_sleep_millisecs\",\"to\":[\"-\",[\"+\",1,2],[\"*\",3"
     ",[\"/\",4,5]]]}]}]}"},
    {"and/or give the deciding operand when one is not 1 or 0",
     "(Host.Control \"ksm_run\" (or nil 2))\n(Host.Control \"ksm_pages_to_sc"
     "an\" (and (> Host.mem_free 1) Host.ksm_run))",
     "{\"description\":\"Converted from MOM's policy language: t\",\"host\":"
     "[{\"rule\":\"host\",\"do\":[{\"set\":\"ksm_run\",\"to\":[\"if\",null,n"
     "ull,2]},{\"let\":{\"and__t\":[\">\",[\"stat\",\"mem_free\"],1]}},{\"se"
     "t\":\"ksm_pages_to_scan\",\"to\":[\"if\",\"and__t\",[\"stat\",\"ksm_ru"
     "n\"],\"and__t\"]}]}]}"},
    {"strings: == with ' and \" literals, a string never equals a number",
     "(with Guests g (if (or (== (g.Prop \"name\") 'web') (== \"a\" 1)) "
     "(g.Control \"balloon_target\" 1) 0))",
     "{\"description\":\"Converted from MOM's policy language: "
     "t\",\"guest\":[{\"rule\":\"guests-1\",\"description\":\"(with Guests g "
     "...) at line "
     "1\",\"do\":[{\"let\":{\"cond__t\":[\"or\",[\"==\",[\"name\"],[\"str\","
     "\"web\"]],0]}},{\"if\":\"cond__t\",\"then\":[{\"set\":\"balloon_target\","
     "\"to\":1}]}]}]}"},
    {"blocks, eval, debug and [ ] lists",
     "{ (debug 1 2) [Host.Control \"ksm_pages_to_scan\" (eval 1 2 3)] }",
     "{\"description\":\"Converted from MOM's policy language: "
     "t\",\"host\":[{\"rule\":\"host\",\"do\":[{\"set\":\"ksm_pages_to_scan\","
     "\"to\":3}]}]}"},
    {"a parameter read from another policy",
     "(with Guests g (if balloonEnabled (g.Control \"balloon_target\" "
     "g.balloon_max) 0))",
     "{\"description\":\"Converted from MOM's policy language: "
     "t\",\"guest\":[{\"rule\":\"guests-1\",\"description\":\"(with Guests g "
     "...) at line "
     "1\",\"do\":[{\"let\":{\"cond__t\":\"balloonEnabled\"}},{\"if\":\"cond__"
     "t\",\"then\":[{\"set\":\"balloon_target\",\"to\":[\"stat\",\"balloon_"
     "max\"]}]}]}]}"},
};
