# The dock at night (Ren'Py).
define m = Character("Mara", image="mara", color="#c8ffc8")
define s = Character(_("Sam"), color="#c8c8ff")
define w = Character("Walter", image="walter")

image bg dock = "dock.png"

label start:
    scene bg dock with fade
    show mara angry at left

    "Rain falls on the black water."

    m "You're late." id dock_01

    s sad "I know. I'm sorry." id dock_02

    m @ sarcastic "Sorry doesn't bring the boat back." id dock_03

    menu:
        "Apologise again":
            s angry "I said I was {i}sorry{/i}!" id dock_04
        "Plead":
            s scared "Listen to me,
                      please." id dock_05

    show walter whispering
    w "Quiet, both of you. Someone's coming." id dock_06

    m "Who's there?" id dock_07

    return
