package com.magentastyle.demo

import android.Manifest
import android.content.Context
import android.content.Intent
import android.content.pm.PackageManager
import android.graphics.Bitmap
import android.os.Bundle
import android.os.SystemClock
import android.util.Log
import android.widget.ImageView
import android.widget.TextView
import android.widget.Toast
import androidx.activity.result.contract.ActivityResultContracts
import androidx.appcompat.app.AppCompatActivity
import androidx.camera.core.CameraSelector
import androidx.camera.core.ImageAnalysis
import androidx.camera.core.ImageProxy
import androidx.camera.lifecycle.ProcessCameraProvider
import androidx.core.content.ContextCompat
import com.magentastyle.core.InputSize
import com.magentastyle.core.Pixels
import java.util.concurrent.ExecutorService
import java.util.concurrent.Executors

/**
 * The live camera: the newest frame of the back camera (frames that arrive while one renders are
 * dropped), upright, its central square at [SIDE] px, stylized in the blend [MainActivity] passes
 * with the manifest's camera network ([com.magentastyle.core.Manifest.cameraModelFile]: the video
 * network, whose strokes follow motion instead of flickering), shown with the frames per second.
 *
 * Cannot: record the stylized frames, blend them with the previous output along the optical flow
 * (Python's `stylize_video` does; here the network alone steadies them), or use the GPU delegate
 * (the CPU, XNNPACK, [StyleEngine.cpuThreads] threads).
 */
class LiveCameraActivity : AppCompatActivity() {

    private lateinit var view: ImageView
    private lateinit var info: TextView
    private lateinit var style: FloatArray

    // The interpreter is not thread-safe: the engine is made, used and closed on this one thread.
    private val analysis: ExecutorService = Executors.newSingleThreadExecutor { r -> Thread(r, "live") }
    private var engine: StyleEngine? = null
    private var cameraFile = ""
    private var firstFrameAt = 0L
    private var frames = 0

    private val requestCamera = registerForActivityResult(ActivityResultContracts.RequestPermission()) { granted ->
        if (granted) startCamera() else stop(getString(R.string.camera_permission_denied))
    }

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContentView(R.layout.activity_live)
        view = findViewById(R.id.live_image)
        info = findViewById(R.id.live_info)
        style = intent.getFloatArrayExtra(EXTRA_STYLE) ?: return finish()
        val granted = ContextCompat.checkSelfPermission(this, Manifest.permission.CAMERA) ==
            PackageManager.PERMISSION_GRANTED
        if (granted) startCamera() else requestCamera.launch(Manifest.permission.CAMERA)
    }

    private fun startCamera() {
        val providerFuture = ProcessCameraProvider.getInstance(this)
        providerFuture.addListener({
            try {
                val analyzer = ImageAnalysis.Builder()
                    .setBackpressureStrategy(ImageAnalysis.STRATEGY_KEEP_ONLY_LATEST)
                    .setOutputImageFormat(ImageAnalysis.OUTPUT_IMAGE_FORMAT_RGBA_8888)
                    .build()
                analyzer.setAnalyzer(analysis) { frame -> frame.use { render(it) } }
                val provider = providerFuture.get()
                provider.unbindAll()
                provider.bindToLifecycle(this, CameraSelector.DEFAULT_BACK_CAMERA, analyzer)
            } catch (e: Exception) {
                Log.e(TAG, "camera unavailable", e)
                stop(getString(R.string.live_camera_failed, e.message ?: e.toString()))
            }
        }, ContextCompat.getMainExecutor(this))
    }

    /** Runs on [analysis]: one frame in, its pastiche on screen. */
    private fun render(frame: ImageProxy) {
        try {
            val e = engine ?: openEngine().also { engine = it }
            val upright = ImageIo.rotate(frame.toBitmap(), frame.imageInfo.rotationDegrees)
            val square = ImageIo.centerSquare(upright, SIDE)
            val argb = IntArray(SIDE * SIDE)
            square.getPixels(argb, 0, SIDE, 0, 0, SIDE, SIDE)
            val output = e.run(Pixels.toTensor(argb, SIDE, SIDE), style, InputSize(SIDE, SIDE))
            Pixels.fromTensor(output.rgb, argb)
            val pastiche = Bitmap.createBitmap(argb, SIDE, SIDE, Bitmap.Config.ARGB_8888)
            val now = SystemClock.elapsedRealtime()
            if (frames++ == 0) firstFrameAt = now
            val perSecond = if (frames > 1) (frames - 1) * 1000.0 / (now - firstFrameAt).coerceAtLeast(1L) else 0.0
            val label = getString(R.string.live_info, SIDE, perSecond, cameraFile, e.backendLabel)
            runOnUiThread {
                view.setImageBitmap(pastiche)
                info.text = label
            }
        } catch (e: Exception) {
            Log.e(TAG, "live frame failed", e)
            runOnUiThread { stop(getString(R.string.live_camera_failed, e.message ?: e.toString())) }
        }
    }

    /** Runs on [analysis]: the engine of the manifest's camera network, on the CPU. */
    private fun openEngine(): StyleEngine {
        val manifest = StyleRepository(applicationContext).loadManifest()
        cameraFile = manifest.cameraModelFile()
        return StyleEngine.create(StyleEngine.loadModel(this, cameraFile), manifest, preferGpu = false)
    }

    private fun stop(message: String) {
        Toast.makeText(this, message, Toast.LENGTH_LONG).show()
        finish()
    }

    override fun onDestroy() {
        super.onDestroy()
        // Queued behind a frame being rendered, then the thread ends.
        analysis.execute {
            engine?.close()
            engine = null
        }
        analysis.shutdown()
    }

    companion object {
        private const val TAG = "LiveCameraActivity"
        private const val EXTRA_STYLE = "style_embedding"

        /**
         * Side of the square the camera's frames are stylized at (px): the exports' default
         * input size (styles.json default_size). The bundled camera_model.tflite renders 384² in
         * 34 ms on 2 desktop threads (2-core AMD EPYC, LiteRT; 17 ms at 256², 55 at 512²); not
         * measured on a phone, whose rate the screen shows.
         */
        const val SIDE = 384

        /** Starts the live camera in the blended [style] embedding. */
        fun intent(context: Context, style: FloatArray): Intent =
            Intent(context, LiveCameraActivity::class.java).putExtra(EXTRA_STYLE, style)
    }
}
