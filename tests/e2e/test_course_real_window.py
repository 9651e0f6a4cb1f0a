"""The course in the real window: started without a file it opens on the start page; the tour
dims the window but the part it explains, step after step, as the X server shows it (a new
overlay mask once left stale pixels under X11, which offscreen rendering cannot show); Help ▸
Lessons and a card open lesson 1."""
import ctypes
import ctypes.util
import time


def _brightness(display: str, x: int, y: int, side: int = 16) -> float:
    """Mean of (r + g + b) / 3 over a side × side patch of the screen, read from the X server."""
    x11 = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XDefaultRootWindow.restype = ctypes.c_ulong
    x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
    x11.XGetImage.restype = ctypes.c_void_p
    x11.XGetImage.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_int, ctypes.c_uint,
                              ctypes.c_uint, ctypes.c_ulong, ctypes.c_int]
    x11.XGetPixel.restype = ctypes.c_ulong
    x11.XGetPixel.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    dpy = x11.XOpenDisplay(display.encode())
    assert dpy, f"cannot open display {display}"
    try:
        image = x11.XGetImage(dpy, x11.XDefaultRootWindow(dpy), x, y, side, side, 0xFFFFFFFF, 2)  # ZPixmap
        assert image, "XGetImage failed"
        total = 0
        for i in range(side):
            for j in range(side):
                p = x11.XGetPixel(image, i, j)
                total += ((p >> 16) & 255) + ((p >> 8) & 255) + (p & 255)
        return total / (3 * side * side)  # the image is a few hundred bytes: left to the process
    finally:
        x11.XCloseDisplay(dpy)


def _wait_brightness(s, point, condition, what: str, timeout: float = 5.0) -> float:
    deadline = time.monotonic() + timeout
    while True:
        value = _brightness(s.display, *point)
        if condition(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: brightness {value:.0f}{s.screenshot()}")
        time.sleep(0.1)


def test_start_page_tour_and_a_lesson_in_the_real_window(studio):
    s = studio(None)
    state = s.probe()
    assert state["lessons"]["start_page"] and "Open lesson" in [b["text"] for b in state["buttons"]]
    s.click(s.button("Take the tour"))
    state = s.wait(lambda st: st["lessons"].get("tour") == 0, "the tour's first step (the palette)")
    (x0, y0), (w, h) = state["canvas"]["top_left"], state["canvas"]["size"]
    spot = (x0 + int(0.8 * w), y0 + int(0.3 * h))  # on the canvas, clear of every callout
    dim = _wait_brightness(s, spot, lambda v: v < 160, "the canvas is dimmed while the palette is explained")
    s.xdo("key", "Right")  # → steps (the focus is on the callout's Next)
    s.wait(lambda st: st["lessons"].get("tour") == 1, "the tour's second step (the canvas)")
    lit = _wait_brightness(s, spot, lambda v: v > dim + 60, "the canvas is lit when it is explained")
    s.click(s.button("Next"))
    s.wait(lambda st: st["lessons"].get("tour") == 2, "the third step (wiring)")
    s.xdo("key", "Right")
    state = s.wait(lambda st: st["lessons"].get("tour") == 3, "the fourth step (the step-through)")
    _wait_brightness(s, spot, lambda v: v < lit - 60, "the canvas is dimmed again (no stale lit pixels)")
    assert "Step 4 of 5" not in [b["text"] for b in state["buttons"]]  # (a label, not a button)
    assert "Back" in [b["text"] for b in state["buttons"]]  # the callout is drawn and live
    s.xdo("key", "Escape")
    s.wait(lambda st: st["lessons"].get("tour") is None, "Escape to close the tour")
    _wait_brightness(s, spot, lambda v: v > lit - 30, "the canvas is lit again after the tour")
    s.xdo("key", "alt+h")
    time.sleep(0.3)
    s.xdo("key", "l")  # Help ▸ Lessons
    s.wait(lambda st: st["lessons"].get("start_page"), "Help ▸ Lessons to show the start page")
    s.click(s.button("Open lesson"))  # the first card's: the topmost
    state = s.wait(lambda st: st["lessons"].get("lesson") == "computation_graph" and "J" in st["boxes"],
                   "lesson 1 to open with its graph")
    assert not state["lessons"]["start_page"] and state["path"] is None and not state["dirty"]
