// The dock at night: Mara meets Sam; old Walter watches.
VAR trust = 0

-> dock

=== dock ===
# scene: dock_night
Mara: You're late. # mood:angry # id:dock_01
Sam: I know. I'm sorry. # sad # id:dock_02
# tone:sarcastic
Mara: Sorry doesn't bring the boat back. # id:dock_03
* [Apologise again] Sam: I said I was sorry! # angry # id:dock_04
    ~ trust = trust - 1
* Sam: Listen[.] to me, please. # pleading, scared # id:dock_05
    ~ trust = trust + 1
- Walter: Quiet, both of you. Someone's coming. # whispering # id:dock_06
Walter: {trust > 0: Go, now.|Stay where you are.} # id:dock_07
Sam: {~Fine.|Whatever.} # tired # id:dock_08
-> END
