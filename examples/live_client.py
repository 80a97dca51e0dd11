"""Speak one line through ``emostudio serve`` and save what streams back.

    emostudio serve &                  # loads the models once, listens on ws://127.0.0.1:8765
    python examples/live_client.py "Thanks for coming. [angry] Now get out!" --emotion cheerful
    python examples/live_client.py "Good evening." --character walter
    python examples/live_client.py '<speak>Wait.<break time="1s"/> <mark name="go"/>Now!</speak>'

Prints each chunk as it arrives and writes the audio to a WAV file. A game would instead hand
each binary frame to its audio queue and each chunk's face/body frames to its animation.
"""

import argparse
import asyncio
import json
import sys
import wave

from websockets.asyncio.client import connect


async def speak(text, emotion, url, out, character=None):
    async with connect(url, max_size=None) as ws:
        hello = json.loads(await ws.recv())  # formats, the 52 ARKit names, the bones
        request = {"emotion": emotion, "seed": 0, "id": "line-1", "character": character}
        request["ssml" if text.lstrip().startswith("<speak") else "text"] = text
        await ws.send(json.dumps(request))
        audio, face, body = bytearray(), [], []
        while True:
            message = await ws.recv()
            if isinstance(message, bytes):  # the audio of the chunk just announced: s16le PCM
                audio += message
                continue
            data = json.loads(message)
            if data["type"] == "chunk":
                face += data["face"]["weights"]     # rows of 52 ARKit weights, 60 fps
                body += data["body"]["rotations"]   # rows of bone quaternions (xyzw), 30 fps
                print(f'{data["t0"]:6.2f} s  {data["text"]}', flush=True)
                for mark in data["marks"]:          # SSML <mark>s, on the line's clock
                    print(f'{mark["time"]:6.2f} s  <mark name="{mark["name"]}">', flush=True)
            elif data["type"] == "header":
                print(f'{data["character"]} speaks', flush=True)
            elif data["type"] == "error":
                sys.exit(f'error: {data["message"]}')
            elif data["type"] == "done":
                break
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(hello["sample_rate"])
        w.writeframes(bytes(audio))
    print(f'{len(audio) // 2 / hello["sample_rate"]:.2f} s of audio, {len(face)} face frames, '
          f'{len(body)} body frames -> {out}')


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Speak one line through emostudio serve.")
    parser.add_argument("text", help="the line; inline [emotion] tags change the emotion; a "
                                     "line starting with <speak is SSML")
    parser.add_argument("--emotion", default="", help="emotion description (default neutral)")
    parser.add_argument("--character", default=None,
                        help="a built-in character (mara, walter, ...; default: the default one)")
    parser.add_argument("--url", default="ws://127.0.0.1:8765", help="the server")
    parser.add_argument("--out", default="live.wav", help="WAV file to write")
    args = parser.parse_args()
    asyncio.run(speak(args.text, args.emotion, args.url, args.out, args.character))
