"""``hawiya devices register|list|revoke|simulate``: the capture devices Hawiya trusts, and the
SBI device simulator for tests and demonstrations."""

from __future__ import annotations

from pathlib import Path

import typer

devices_app = typer.Typer(help="Capture devices (MOSIP SBI) and their signing certificates.",
                          no_args_is_help=True)


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


@devices_app.command("register")
def register(
    sbi_port: int | None = typer.Option(None, help="register every device the SBI service on "
                                        "127.0.0.1:PORT reports (its certificate as signed)"),
    cert: Path | None = typer.Option(None, help="or: the device's certificate (PEM or DER)"),
    serial: str = typer.Option("", help="with --cert: the device's serial (SBI deviceCode)"),
    device_type: str = typer.Option("Finger", "--type", help="with --cert: Finger, Face, Iris"),
    sub_type: str = typer.Option("", help="with --cert: Slap, Single, Full face ..."),
    make: str = typer.Option("", help="with --cert: make"),
    model: str = typer.Option("", help="with --cert: model"),
) -> None:
    """Register devices whose signed captures Hawiya accepts."""
    from enrollment.devices import client
    from identity.access import devices
    from identity.platform.db import session_scope
    from identity.platform.errors import DomainError

    if (sbi_port is None) == (cert is None):
        raise _fail("give --sbi-port PORT or --cert FILE --serial S")
    if sbi_port is not None:
        try:
            found = [(r.spec, r.certificate_pem) for r in client.reported_devices(sbi_port)]
        except (OSError, ValueError) as exc:
            raise _fail(f"no SBI service answered on 127.0.0.1:{sbi_port} ({exc})") from exc
    else:
        assert cert is not None
        found = [(devices.DeviceSpec(serial, make, model, device_type, sub_type),
                  cert.read_bytes())]
    with session_scope() as session:
        for spec, pem in found:
            try:
                row = devices.register(session, spec, pem, actor="cli")
            except DomainError as exc:
                raise _fail(exc.message) from exc
            typer.echo(f"registered {row.serial} ({row.type} {row.sub_type}) "
                       f"cert sha256 {row.cert_sha256}")


@devices_app.command("list")
def list_() -> None:
    """Every registered device: serial, type, certificate fingerprint, revoked."""
    from identity.access import devices
    from identity.platform.db import session_scope

    with session_scope() as session:
        for d in devices.list_devices(session):
            state = f"revoked {d.revoked_at:%Y-%m-%d}" if d.revoked_at else "active"
            typer.echo(f"{d.id}\t{d.serial}\t{d.type}\t{d.sub_type}\t{d.make} {d.model}\t"
                       f"{d.cert_sha256[:16]}…\t{state}")


@devices_app.command("revoke")
def revoke(serial: str = typer.Argument(..., help="the device's serial number")) -> None:
    """Stop accepting the device's captures (packets signed by it are refused)."""
    from identity.access import devices
    from identity.platform.db import session_scope
    from identity.platform.errors import DomainError

    with session_scope() as session:
        try:
            row = devices.revoke(session, serial, actor="cli")
        except DomainError as exc:
            raise _fail(exc.message) from exc
        typer.echo(f"revoked {row.serial}")


@devices_app.command("simulate")
def simulate(
    images: Path = typer.Option(..., exists=True, file_okay=False,
                                help="folder of images: DIR/<profile>/face*.jpg, finger_N*.png"),
    port: int = typer.Option(4501, help="loopback port, 4501-4600"),
    key_dir: Path = typer.Option(Path("var/sbi-simulator"),
                                 help="where the simulated devices keep their test keys"),
    prefix: str = typer.Option("HWSIM", help="serial-number prefix of the simulated devices"),
) -> None:
    """Serve an SBI fingerprint slap scanner and face camera from image files (test keys)."""
    from enrollment.devices import simulator

    try:
        server = simulator.serve(images, port=port, key_dir=key_dir, prefix=prefix)
    except (OSError, ValueError) as exc:
        raise _fail(str(exc)) from exc
    sim = server.simulator  # type: ignore[attr-defined]
    typer.echo(f"SBI simulator on http://127.0.0.1:{port}/ devices "
               f"{', '.join(d.serial for d in sim.devices)}; profiles "
               f"{', '.join(sim.bank.profiles())}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
